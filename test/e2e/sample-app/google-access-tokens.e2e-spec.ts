import { jest } from '@jest/globals';
import type { SampleApp } from '../../../sample-app/src/server.js';
import { FakeGoogleTokenInfo, WEB_CLIENT } from '../../support/google-token-info.js';
import { startSample } from '../../support/sample-app.js';
import { suiteFixture } from '../../support/suite-fixture.js';

jest.setTimeout(30_000);

describe('sample app with OIDC_PROVIDER=google and GOOGLE_ACCESS_TOKENS=true', () => {
  const tokenInfo = suiteFixture(
    () => FakeGoogleTokenInfo.start(),
    (t) => t.close(),
  );
  let sample: SampleApp;

  beforeAll(async () => {
    const origin = new URL(tokenInfo.endpoint).origin;
    sample = await startSample({
      OIDC_PROVIDER: 'google',
      GOOGLE_AUDIENCE: WEB_CLIENT,
      // Keeps discovery (Swagger UI's login, the key set) on 127.0.0.1; no ID token is sent here.
      GOOGLE_DISCOVERY_URI: `${origin}/.well-known/openid-configuration`,
      GOOGLE_ACCESS_TOKENS: 'true',
      GOOGLE_TOKEN_INFO_URI: tokenInfo.endpoint,
    });
  });

  afterAll(async () => {
    await sample?.close();
  });

  const call = (path: string, token: string) =>
    fetch(`${sample.apiUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });

  it('accepts a Google access token granted to its client, with the scopes Google reports', async () => {
    const token = tokenInfo.issue({ scopes: ['openid', 'notes:read'] });
    const me = await call('/me', token);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({
      subject: '110169484474386276334',
      issuer: 'https://accounts.google.com',
      clientId: WEB_CLIENT,
    });
    expect((await call('/notes', token)).status).toBe(200);
    expect((await call('/notes', tokenInfo.issue({ scopes: ['openid'] }))).status).toBe(403);
  });

  it("refuses another app's token and a token Google does not know", async () => {
    const foreign = tokenInfo.issue({ client: 'other-app.apps.googleusercontent.com' });
    expect((await call('/me', foreign)).status).toBe(401);
    expect((await call('/me', 'ya29.made-up')).status).toBe(401);
  });
});
