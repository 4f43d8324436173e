import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { OidcAuthModule } from '../../../lib/index.js';
import { LocalIssuer } from '../../../lib/testing/index.js';
import { TestTelemetry } from '../../support/telemetry-sdk.js';
import { createTestApp, PLATFORMS } from '../../support/test-app.js';
import { trusted } from '../../support/trusted.js';

interface HistogramValue {
  count: number;
  sum: number;
}

describe.each(PLATFORMS)('OpenTelemetry metrics and spans (%s)', (platform) => {
  let issuer: LocalIssuer;
  let telemetry: TestTelemetry;
  let app: INestApplication;

  beforeEach(async () => {
    issuer = await LocalIssuer.start();
    telemetry = TestTelemetry.register();
    app = await createTestApp(
      OidcAuthModule.forRoot({
        issuers: trusted(issuer),
        keys: { cooldownMs: 0 },
      }),
      {},
      platform,
    );
  });

  afterEach(async () => {
    await app.close();
    await telemetry.unregister();
    await issuer.close();
  });

  const get = (path: string, token?: string) => {
    const call = request(app.getHttpServer()).get(path);
    return token ? call.set('Authorization', `Bearer ${token}`) : call;
  };

  it('counts decisions by outcome, reason, issuer and transport', async () => {
    const reader = await issuer.mintToken({ sub: 'alice', scopes: ['notes:read'] });
    const nobody = await issuer.mintToken({ sub: 'bob' });
    expect((await get('/notes', reader)).status).toBe(200);
    expect((await get('/notes', reader)).status).toBe(200);
    expect((await get('/notes', nobody)).status).toBe(403);
    expect((await get('/notes')).status).toBe(401);

    expect(await telemetry.points('oidc_auth.decisions')).toEqual(
      expect.arrayContaining([
        {
          attributes: { outcome: 'allowed', transport: 'http', issuer: issuer.issuer },
          value: 2,
        },
        {
          attributes: {
            outcome: 'refused',
            transport: 'http',
            issuer: issuer.issuer,
            reason: 'insufficient_scope',
          },
          value: 1,
        },
        {
          attributes: { outcome: 'refused', transport: 'http', reason: 'missing_token' },
          value: 1,
        },
      ]),
    );
    expect(await telemetry.points('oidc_auth.decisions')).toHaveLength(3);
  });

  it('times cold verifications only, each in an oidc_auth.verify span', async () => {
    const token = await issuer.mintToken({ sub: 'alice' });
    // The verified-token cache admits a token seen twice: the third call is answered from it.
    for (let i = 0; i < 3; i++) expect((await get('/me', token)).status).toBe(200);
    const expired = await issuer.mintToken({ sub: 'carol' }, { expiresIn: -3600 });
    expect((await get('/me', expired)).status).toBe(401);

    const durations = await telemetry.points<HistogramValue>('oidc_auth.verification.duration');
    expect(durations.map((p) => [p.attributes, p.value.count])).toEqual(
      expect.arrayContaining([
        [{ outcome: 'success', issuer: issuer.issuer }, 2],
        [{ outcome: 'failure', issuer: issuer.issuer, reason: 'token_expired' }, 1],
      ]),
    );
    expect(durations).toHaveLength(2);
    for (const point of durations) {
      expect(point.value.sum).toBeGreaterThan(0);
      expect(point.value.sum).toBeLessThan(5);
    }

    const spans = telemetry.spans('oidc_auth.verify');
    expect(spans.map((s) => [s.attributes.outcome, s.status.code])).toEqual([
      ['success', 0],
      ['success', 0],
      ['failure', 2],
    ]);
    expect(spans[2].attributes.reason).toBe('token_expired');
  });

  it('counts key-set fetches and their failures per issuer', async () => {
    issuer.fault = 'http500';
    // A token under a kid the module has not seen makes it fetch the key set again.
    await issuer.addKey();
    const token = await issuer.mintToken({ sub: 'alice' });
    expect((await get('/me', token)).status).toBe(503);

    expect(await telemetry.points('oidc_auth.jwks.fetches')).toEqual(
      expect.arrayContaining([
        { attributes: { issuer: issuer.issuer, outcome: 'success' }, value: 1 },
        { attributes: { issuer: issuer.issuer, outcome: 'failure' }, value: 1 },
      ]),
    );
  });
});
