import { jest } from '@jest/globals';
import { Controller, Get, type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { google, OidcAuthModule, Scopes } from '../../../lib/index.js';
import { FakeGoogleTokenInfo, WEB_CLIENT } from '../../support/google-token-info.js';
import { createTestApp, PLATFORMS } from '../../support/test-app.js';

jest.setTimeout(30_000);

const EMAIL_SCOPE = 'https://www.googleapis.com/auth/userinfo.email';
const SERVICE_ACCOUNT = '113774264463038321964';

@Controller('profile')
class ProfileController {
  @Scopes(EMAIL_SCOPE)
  @Get()
  profile() {
    return { ok: true };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(PLATFORMS)('Google access tokens through token-info (%s)', (platform) => {
  let tokenInfo: FakeGoogleTokenInfo;
  let app: INestApplication;

  beforeAll(async () => {
    tokenInfo = await FakeGoogleTokenInfo.start();
    const module = OidcAuthModule.forRoot({
      issuers: [
        google({
          audience: [WEB_CLIENT, SERVICE_ACCOUNT],
          // ID tokens are not sent here; the address only keeps any key lookup on 127.0.0.1.
          jwksUri: `${new URL(tokenInfo.endpoint).origin}/certs`,
          accessTokens: { tokenInfoEndpoint: tokenInfo.endpoint, timeoutMs: 300, maxAgeMs: 400 },
        }),
      ],
      warmUp: false,
    });
    app = await createTestApp(module, { controllers: [ProfileController] }, platform);
  });

  afterAll(async () => {
    await app.close();
    await tokenInfo.close();
  });

  afterEach(() => {
    tokenInfo.fault = 'none';
  });

  const get = (path: string, token: string) =>
    request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${token}`);

  it("accepts a user's token granted to this client, with Google's scopes and identity", async () => {
    const token = tokenInfo.issue({ scopes: ['openid', EMAIL_SCOPE] });
    const me = await get('/me', token);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      subject: '110169484474386276334',
      issuer: 'https://accounts.google.com',
      clientId: WEB_CLIENT,
      isAppOnly: false,
      scopes: ['openid', EMAIL_SCOPE],
      claims: { email: 'alice@example.com', email_verified: true },
    });
    expect(me.body.claims.expires_in).toBeUndefined();
    expect((await get('/profile', token)).status).toBe(200);
  });

  it('refuses a token without the scope a route needs with 403', async () => {
    const res = await get('/profile', tokenInfo.issue({ scopes: ['openid'] }));
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toMatch(/error="insufficient_scope"/);
  });

  it('refuses a token Google granted to another OAuth client with 401', async () => {
    const res = await get(
      '/me',
      tokenInfo.issue({ client: 'other-app.apps.googleusercontent.com' }),
    );
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/error="invalid_token"/);
  });

  it('refuses a token Google does not know with 401', async () => {
    const res = await get('/me', 'ya29.a0-made-up-token');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/error="invalid_token"/);
  });

  it("accepts a service account's ya29.c. token, three parts and all, as app-only", async () => {
    const token = tokenInfo.issueServiceAccount(SERVICE_ACCOUNT);
    expect(token.split('.')).toHaveLength(3);
    const me = await get('/me', token);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ subject: SERVICE_ACCOUNT, isAppOnly: true });
  });

  it('sends Google only ya29. tokens: other opaque tokens and JWT look-alikes never leave', async () => {
    const before = tokenInfo.calls;
    expect((await get('/me', 'ory_at_abcdef')).status).toBe(401);
    expect((await get('/me', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln')).status).toBe(401);
    expect(tokenInfo.calls).toBe(before);
  });

  it('asks once for a token used again, and once for concurrent first uses', async () => {
    const token = tokenInfo.issue({ scopes: [EMAIL_SCOPE] });
    const before = tokenInfo.calls;
    const answers = await Promise.all(Array.from({ length: 8 }, () => get('/profile', token)));
    expect(answers.map((res) => res.status)).toEqual(Array(8).fill(200));
    expect((await get('/profile', token)).status).toBe(200);
    expect(tokenInfo.calls).toBe(before + 1);
  });

  it('refuses a token revoked at Google once its cached answer ends (maxAgeMs)', async () => {
    const token = tokenInfo.issue();
    expect((await get('/me', token)).status).toBe(200);
    tokenInfo.revoke(token);
    expect((await get('/me', token)).status).toBe(200);
    await sleep(450);
    expect((await get('/me', token)).status).toBe(401);
  });

  it.each(['http500', 'html', 'hang', 'garbled'] as const)(
    'answers 503 with Retry-After while token-info is %s, never 401 or 500',
    async (fault) => {
      tokenInfo.fault = fault;
      const token = tokenInfo.issue();
      const res = await get('/me', token);
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toMatch(/^[1-9][0-9]*$/);
      expect(res.text).not.toContain(token);
      expect(res.text).not.toContain(tokenInfo.endpoint);
    },
  );
});
