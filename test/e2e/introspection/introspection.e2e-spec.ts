import { jest } from '@jest/globals';
import { type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { OidcAuthEvents, OidcAuthModule, type OidcAuthModuleOptions } from '../../../lib/index.js';
import type { IntrospectionOptions } from '../../../lib/core/introspection/introspection-options.js';
import { LocalIssuer } from '../../../lib/testing/index.js';
import { dpopKey, makeProof } from '../../support/dpop.js';
import { LocalIntrospectionEndpoint } from '../../support/introspection-endpoint.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { initApp, PLATFORMS, TEST_CONTROLLERS } from '../../support/test-app.js';

jest.setTimeout(30_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const CLIENT = { clientId: 'notes-api', clientSecret: 'notes-api-secret' };

describe.each(PLATFORMS)('opaque tokens through introspection (%s)', (platform) => {
  let issuer: LocalIssuer;
  let endpoint: LocalIntrospectionEndpoint;
  let app: INestApplication | undefined;
  let logger: RecordingLogger;

  beforeEach(async () => {
    issuer = await LocalIssuer.start();
    endpoint = await LocalIntrospectionEndpoint.start();
    endpoint.credentials = CLIENT;
    logger = new RecordingLogger();
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
    await endpoint.stop();
    await issuer.close();
  });

  const start = async (
    introspection: Partial<IntrospectionOptions> = {},
    extra: Partial<OidcAuthModuleOptions> = {},
  ) => {
    const ref = await Test.createTestingModule({
      imports: [
        OidcAuthModule.forRoot({
          issuers: [
            issuer.issuerOptions({
              introspection: {
                ...CLIENT,
                endpoint: endpoint.url,
                timeoutMs: 2_000,
                ...introspection,
              },
            }),
          ],
          warmUp: false,
          ...extra,
        }),
      ],
      controllers: TEST_CONTROLLERS,
    }).compile();
    app = await initApp(ref, platform, logger);
  };

  const get = (path: string, token: string) =>
    request(app!.getHttpServer()).get(path).set('Authorization', `Bearer ${token}`);

  const userToken = (members: Record<string, unknown> = {}) =>
    endpoint.issue({
      iss: issuer.issuer,
      aud: issuer.audience,
      sub: 'user-1',
      client_id: 'notes-web',
      scope: 'openid notes:read',
      token_type: 'Bearer',
      exp: Math.floor(Date.now() / 1000) + 300,
      ...members,
    });

  it('accepts an active opaque token with the principal a JWT would make, and enforces @Scopes', async () => {
    await start();
    const token = userToken({ username: 'ada' });
    const res = await get('/me', token);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      subject: 'user-1',
      issuer: issuer.issuer,
      audience: [issuer.audience],
      clientId: 'notes-web',
      scopes: ['openid', 'notes:read'],
      isAppOnly: false,
      claims: { username: 'ada' },
    });
    expect((await get('/notes', token)).status).toBe(200);
    const forbidden = await get('/reports', token);
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers['www-authenticate']).toContain('insufficient_scope');
  });

  it('takes an introspected DPoP-bound token (cnf.jkt) only with the DPoP scheme and a proof', async () => {
    await start({}, { dpop: { trustProxy: true } });
    const key = await dpopKey('ES256');
    const token = userToken({ token_type: 'DPoP', cnf: { jkt: key.thumbprint } });
    const asBearer = await get('/me', token);
    expect(asBearer.status).toBe(401);
    expect(asBearer.body.message).toMatch(/DPoP-bound/);
    const proof = await makeProof(key, {
      htm: 'GET',
      htu: 'https://api.example.com/me',
      accessToken: token,
    });
    const res = await request(app!.getHttpServer())
      .get('/me')
      .set({ 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'api.example.com' })
      .set('Authorization', `DPoP ${token}`)
      .set('DPoP', proof);
    expect(res.status).toBe(200);
    expect(res.body.claims.cnf).toEqual({ jkt: key.thumbprint });
  });

  it('sends a POST form with token and token_type_hint, client_secret_basic, never the token in the URL', async () => {
    await start();
    const token = userToken();
    await get('/me', token);
    expect(endpoint.requests).toHaveLength(1);
    const [sent] = endpoint.requests;
    expect(sent).toMatchObject({
      method: 'POST',
      url: '/introspect',
      accept: 'application/json',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(sent.url).not.toContain(token);
    expect(Object.fromEntries(sent.form)).toEqual({ token, token_type_hint: 'access_token' });
    expect(sent.authorization).toMatch(/^Basic /);
  });

  it('treats a client-credentials answer without sub as app-only, its client as subject', async () => {
    await start();
    const token = userToken({ sub: undefined, client_id: 'reporting-job' });
    const res = await get('/me', token);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ subject: 'reporting-job', isAppOnly: true });
  });

  it.each([
    ['inactive (revoked or unknown)', 'unknown', 'token_inactive'],
    ['for another audience', { aud: 'api://other' }, 'audience_mismatch'],
    ['from another issuer', { iss: 'https://elsewhere.example' }, 'issuer_mismatch'],
    ['expired', { exp: Math.floor(Date.now() / 1000) - 3600 }, 'token_expired'],
    ['not valid yet', { nbf: Math.floor(Date.now() / 1000) + 3600 }, 'token_not_yet_valid'],
    ['a refresh token', { token_type: 'refresh_token' }, 'typ_mismatch'],
    ['without exp', { exp: undefined }, 'claim_invalid'],
  ] as const)('refuses a token %s with 401 invalid_token', async (_what, members, reason) => {
    await start();
    const reasons: string[] = [];
    app!.get(OidcAuthEvents).events$.subscribe((e) => e.reason && reasons.push(e.reason));
    const token = members === 'unknown' ? 'opq_never-issued.x' : userToken(members);
    const res = await get('/me', token);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(reasons).toEqual([reason]);
  });

  it('keeps verifying JWTs locally: no introspection call for them', async () => {
    await start();
    expect((await get('/me', await issuer.mint({ sub: 'jwt-user' }))).status).toBe(200);
    expect(endpoint.calls).toBe(0);
  });

  it('reuses a result within maxAgeMs, then asks again: a revoked token is refused once its entry ends', async () => {
    await start({ maxAgeMs: 300 });
    const token = userToken();
    expect((await get('/me', token)).status).toBe(200);
    expect((await get('/me', token)).status).toBe(200);
    expect(endpoint.calls).toBe(1);
    endpoint.revoke(token);
    expect((await get('/me', token)).status).toBe(200);
    await sleep(350);
    expect((await get('/me', token)).status).toBe(401);
    expect(endpoint.calls).toBe(2);
  });

  it('keeps an entry no longer than the token lives', async () => {
    await start({ maxAgeMs: 60_000 });
    const token = userToken({ exp: Math.floor(Date.now() / 1000) + 2 });
    expect((await get('/me', token)).status).toBe(200);
    endpoint.revoke(token);
    await sleep(2_100);
    // With the clock tolerance the claims would still pass: only a new introspection refuses it.
    expect((await get('/me', token)).status).toBe(401);
    expect(endpoint.calls).toBe(2);
  });

  it('caches inactive answers briefly (inactiveMaxAgeMs)', async () => {
    await start({ inactiveMaxAgeMs: 200 });
    const token = 'opq_not-yet.issued';
    expect((await get('/me', token)).status).toBe(401);
    expect((await get('/me', token)).status).toBe(401);
    expect(endpoint.calls).toBe(1);
    await sleep(250);
    expect((await get('/me', token)).status).toBe(401);
    expect(endpoint.calls).toBe(2);
  });

  it('shares one introspection call among concurrent requests with the same new token', async () => {
    endpoint.fault = 'slow';
    endpoint.slowMs = 150;
    await start();
    const token = userToken();
    const answers = await Promise.all(Array.from({ length: 8 }, () => get('/me', token)));
    expect(answers.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(endpoint.calls).toBe(1);
  });

  it.each(['hang', 'http502', 'html', 'not-json', 'huge', 'down'] as const)(
    'answers 503 with Retry-After while the endpoint is %s, then recovers',
    async (fault) => {
      await start({ maxBytes: 16 * 1024, timeoutMs: fault === 'hang' ? 400 : 2_000 });
      const token = userToken();
      if (fault === 'down') await endpoint.stop();
      else endpoint.fault = fault;
      const res = await get('/me', token);
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toMatch(/^[1-9]\d*$/);
      expect(res.headers['www-authenticate']).toBeUndefined();
      expect(JSON.stringify(res.body)).not.toContain(token);
      if (fault === 'down') await endpoint.restart();
      endpoint.fault = 'none';
      expect((await get('/me', token)).status).toBe(200);
    },
  );

  it('answers 503 when the endpoint forbids our client to introspect (403)', async () => {
    endpoint.fault = 'forbidden';
    await start();
    const res = await get('/me', userToken());
    expect(res.status).toBe(503);
    expect(logger.messages().join('\n')).toContain(
      'client credentials (HTTP 403, error access_denied)',
    );
  });

  it('reports a repeated token as served from the cache, synchronously', async () => {
    await start();
    const cached: Array<boolean | undefined> = [];
    app!.get(OidcAuthEvents).events$.subscribe((e) => cached.push(e.cached));
    const token = userToken();
    for (let i = 0; i < 3; i += 1) expect((await get('/me', token)).status).toBe(200);
    expect(cached).toEqual([false, true, true]);
  });

  it('answers 503 when our own credentials are refused, logging it once per interval', async () => {
    await start({ clientSecret: 'wrong' }, { refusalLogIntervalMs: 60_000 });
    const token = userToken();
    for (let i = 0; i < 3; i += 1) {
      const res = await get('/me', token);
      expect(res.status).toBe(503);
    }
    const lines = logger.messages().filter((m) => m.includes('client credentials'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('HTTP 401');
    expect(logger.messages().join('\n')).not.toContain(token);
  });

  it('answers 503 while the endpoint is slower than the timeout, and waits out one within it', async () => {
    endpoint.fault = 'slow';
    endpoint.slowMs = 3_000;
    await start({ timeoutMs: 1_500 });
    const token = userToken();
    const res = await get('/me', token);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    endpoint.slowMs = 50;
    expect((await get('/me', token)).status).toBe(200);
  });
});
