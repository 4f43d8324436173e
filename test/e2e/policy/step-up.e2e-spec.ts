import { Controller, Get, type INestApplication } from '@nestjs/common';
import request from 'supertest';
import {
  addOpenApiSecurity,
  OidcAuthModule,
  RequireAuthentication,
  Scopes,
} from '../../../lib/index.js';
import { LocalIssuer } from '../../../lib/testing/index.js';
import { policyOf } from '../../../lib/nest/metadata/route-audit.js';
import { createTestApp, PLATFORMS } from '../../support/test-app.js';

@Controller('step-up')
@RequireAuthentication({ acr: ['mfa', 'phr'] })
class StepUpController {
  @Scopes('notes:read')
  @RequireAuthentication({ acr: ['mfa'], maxAgeSeconds: 300 })
  @Get('export')
  export() {
    return { exported: true };
  }

  @Get('strong')
  strong() {
    return { strong: true };
  }
}

const CHALLENGE =
  'Bearer realm="api", error="insufficient_user_authentication", error_description="%s", acr_values="mfa", max_age="300", scope="notes:read"';

describe.each(PLATFORMS)('step-up authentication (RFC 9470) on %s', (platform) => {
  let issuer: LocalIssuer;
  let app: INestApplication;
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    issuer = await LocalIssuer.start();
    app = await createTestApp(
      OidcAuthModule.forRoot({
        issuers: [{ issuer: issuer.issuer, audience: issuer.audience }],
        clockToleranceSeconds: 5,
        audit: { log: false },
      }),
      { controllers: [StepUpController] },
      platform,
    );
  });

  afterAll(async () => {
    await app.close();
    await issuer.close();
  });

  async function get(path: string, claims: Record<string, unknown>) {
    return request(app.getHttpServer())
      .get(path)
      .set('Authorization', `Bearer ${await issuer.mint(claims)}`);
  }

  it('admits a recent mfa authentication with the scope', async () => {
    const res = await get('/step-up/export', {
      scope: 'notes:read',
      acr: 'mfa',
      auth_time: now() - 10,
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ exported: true });
  });

  it.each([
    [
      'a password-only authentication',
      { acr: 'pwd', auth_time: 0 },
      'This resource requires the authentication context mfa',
    ],
    ['no acr at all', { auth_time: 0 }, 'This resource requires the authentication context mfa'],
    [
      'an mfa authentication too long ago',
      { acr: 'mfa', auth_time: -400 },
      'This resource requires an authentication within the last 300 seconds',
    ],
    [
      'no auth_time',
      { acr: 'mfa' },
      'This resource requires a token that says when the user authenticated',
    ],
  ])('challenges %s with 401 insufficient_user_authentication', async (_, context, message) => {
    const claims: Record<string, unknown> = { scope: 'notes:read', ...context };
    if (typeof claims.auth_time === 'number') claims.auth_time = now() + claims.auth_time - 10;
    const res = await get('/step-up/export', claims);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(CHALLENGE.replace('%s', message));
    expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message });
  });

  it('answers a token without the scope 403 insufficient_scope, not a step-up', async () => {
    const res = await get('/step-up/export', { acr: 'pwd', auth_time: now() });
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toMatch(/error="insufficient_scope"/);
  });

  it("applies the controller's requirement to handlers that name none", async () => {
    expect((await get('/step-up/strong', { acr: 'phr' })).status).toBe(200);
    const res = await get('/step-up/strong', { acr: 'pwd' });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toContain('acr_values="mfa phr"');
    expect(res.headers['www-authenticate']).not.toContain('max_age');
  });

  it('shows the requirement in the route audit', () => {
    expect(policyOf(app)).toMatchObject({
      'GET /step-up/export': 'scope notes:read; authentication acr mfa within 300s',
      'GET /step-up/strong': 'authentication acr (mfa | phr)',
    });
  });

  it('marks the operation in the OpenAPI document with the RFC 9470 parameters', () => {
    const document = addOpenApiSecurity(
      { paths: { '/step-up/export': { get: {} }, '/step-up/strong': { get: {} } } },
      app,
      { scheme: 'oauth2' },
    );
    expect(document.paths['/step-up/export'].get).toEqual({
      security: [{ oauth2: ['notes:read'] }],
      'x-authentication-requirement': { acr_values: ['mfa'], max_age: 300 },
    });
    expect(document.paths['/step-up/strong'].get).toEqual({
      security: [{ oauth2: [] }],
      'x-authentication-requirement': { acr_values: ['mfa', 'phr'] },
    });
  });
});
