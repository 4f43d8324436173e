import { jest } from '@jest/globals';
import { loginWithPkce } from '../../../sample-app/src/clients/pkce-login.js';
import type { SampleApp } from '../../../sample-app/src/server.js';
import { startSample } from '../../support/sample-app.js';
import { suiteIssuer } from '../../support/suite-fixture.js';

jest.setTimeout(30_000);

const STEP_UP =
  /^Bearer realm="[^"]*", error="insufficient_user_authentication", error_description="[^"]+", acr_values="mfa", max_age="300"/;

const exportNotes = (app: SampleApp, token: string) =>
  fetch(`${app.apiUrl}/notes/export`, { headers: { authorization: `Bearer ${token}` } });

describe('GET /notes/export against the embedded provider: step-up with a second factor', () => {
  let sample: SampleApp;
  let external: SampleApp;

  beforeAll(async () => {
    sample = await startSample();
    external = await startSample({
      OIDC_ISSUER: sample.idp!.issuer,
      OIDC_AUDIENCE: 'api://notes',
    });
  });

  afterAll(async () => {
    await external.close();
    await sample.close();
  });

  const login = (username: string, oneTimeCode?: string) =>
    loginWithPkce({
      issuer: sample.idp!.issuer,
      clientId: sample.idp!.spaClientId,
      redirectUri: `${sample.apiUrl}/docs/oauth2-redirect.html`,
      username,
      password: username,
      oneTimeCode,
      scope: 'openid notes:read',
      acrValues: 'mfa',
      maxAge: 300,
    });

  it('challenges a password-only sign-in, then admits the same API after a second factor', async () => {
    const bob = await login('bob');
    const refused = await exportNotes(sample, bob.accessToken);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(STEP_UP);
    expect(await refused.json()).toMatchObject({
      statusCode: 401,
      message: 'This resource requires the authentication context mfa',
    });
    // The same token is good for what needs no step-up.
    expect(
      (
        await fetch(`${sample.apiUrl}/notes`, {
          headers: { authorization: `Bearer ${bob.accessToken}` },
        })
      ).status,
    ).toBe(200);

    const carol = await login('carol', '123456');
    const res = await exportNotes(sample, carol.accessToken);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ notes: expect.any(Array) });
  });

  it('documents the requirement in the OpenAPI document Swagger UI reads', async () => {
    const doc = (await (await fetch(`${sample.apiUrl}/docs-json`)).json()) as {
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    expect(doc.paths['/notes/export'].get).toMatchObject({
      security: [{ oidc: ['notes:read'] }],
      'x-authentication-requirement': { acr_values: ['mfa'], max_age: 300 },
    });
    expect(doc.paths['/notes'].get['x-authentication-requirement']).toBeUndefined();
  });

  it('refuses the multi-factor account without its code at the provider', async () => {
    await expect(login('carol')).rejects.toThrow(/Login failed for carol/);
    await expect(login('carol', '000000')).rejects.toThrow(/Login failed for carol/);
  });

  it('issues acr, amr and auth_time in the access token of a multi-factor sign-in', async () => {
    const before = Math.floor(Date.now() / 1000) - 1;
    const { accessToken } = await login('carol', '123456');
    const me = (await (
      await fetch(`${sample.apiUrl}/me`, { headers: { authorization: `Bearer ${accessToken}` } })
    ).json()) as { claims: Record<string, unknown> };
    expect(me.claims).toMatchObject({ acr: 'mfa', amr: ['pwd', 'otp'] });
    expect(me.claims.auth_time).toBeGreaterThanOrEqual(before);
  });

  it('answers the same in OIDC_ISSUER mode', async () => {
    expect((await exportNotes(external, (await login('carol', '123456')).accessToken)).status).toBe(
      200,
    );
    const refused = await exportNotes(external, (await login('bob')).accessToken);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(STEP_UP);
  });
});

describe('GET /notes/export black-box contract in OIDC_ISSUER mode', () => {
  const issuer = suiteIssuer({ audience: 'api://notes' });
  let sample: SampleApp;
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    sample = await startSample({ OIDC_ISSUER: issuer.issuer, OIDC_AUDIENCE: issuer.audience });
  });

  afterAll(async () => {
    await sample.close();
  });

  it.each([
    ['without acr', { auth_time: 0 }],
    ['with another acr', { acr: 'pwd', auth_time: 0 }],
    ['authenticated too long ago', { acr: 'mfa', auth_time: -3600 }],
    ['with no auth_time', { acr: 'mfa' }],
  ])('challenges a token %s (acr_values, max_age)', async (_, context) => {
    const claims: Record<string, unknown> = { scope: 'notes:read', ...context };
    if (typeof claims.auth_time === 'number') claims.auth_time = now() - 5 + claims.auth_time;
    const res = await exportNotes(sample, await issuer.mint(claims));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(STEP_UP);
  });

  it('admits acr mfa with a recent auth_time', async () => {
    const token = await issuer.mint({ scope: 'notes:read', acr: 'mfa', auth_time: now() - 5 });
    expect((await exportNotes(sample, token)).status).toBe(200);
  });

  it('wants the scope before the step-up', async () => {
    const token = await issuer.mint({ scope: 'notes:write', acr: 'mfa', auth_time: now() });
    expect((await exportNotes(sample, token)).status).toBe(403);
  });
});
