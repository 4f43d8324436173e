import { createPublicKey } from 'node:crypto';
import request from 'supertest';
import { appWith, PLATFORMS } from '../../support/test-app.js';
import { decodePart, forge, hmacWithPublicKey } from '../../support/forge.js';
import { DEFAULT_DPOP_CHALLENGE } from '../../support/refusals.js';
import { suiteFixture, suiteIssuer } from '../../support/suite-fixture.js';
import { trusted } from '../../support/trusted.js';

describe.each(PLATFORMS)('authentication (HTTP, local issuer) on %s', (platform) => {
  const issuer = suiteIssuer();
  const app = suiteFixture(
    () => appWith({ issuers: trusted(issuer), clockToleranceSeconds: 30 }, platform),
    (a) => a.close(),
  );

  const get = (path: string, token?: string) => {
    const req = request(app.getHttpServer()).get(path);
    return token === undefined ? req : req.set('Authorization', `Bearer ${token}`);
  };

  function expectInvalidToken(res: request.Response, description: RegExp) {
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(
      /^Bearer realm="api", error="invalid_token", error_description="[^"]+", DPoP algs="[^"]+", realm="api"$/,
    );
    expect(res.body.message).toMatch(description);
    expect(JSON.stringify(res.body)).not.toMatch(/stack|at .*\.ts/);
  }

  it('lets a valid token through and hands the handler the principal', async () => {
    const token = await issuer.mint({
      sub: 'alice',
      scope: 'notes:read profile',
      roles: ['admin'],
    });
    const res = await get('/me', token).expect(200);
    expect(res.body).toMatchObject({
      subject: 'alice',
      issuer: issuer.issuer,
      audience: [issuer.audience],
      scopes: ['notes:read', 'profile'],
      roles: ['admin'],
      isAppOnly: false,
    });
    expect(new Date(res.body.expiresAt).getTime()).toBeGreaterThan(Date.now());
  });

  it('answers a request without credentials with a bare challenge', async () => {
    const res = await get('/me').expect(401);
    expect(res.headers['www-authenticate']).toBe(`Bearer realm="api", ${DEFAULT_DPOP_CHALLENGE}`);
    expect(res.body).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'This resource requires a bearer token',
    });
  });

  it('treats another scheme as no bearer credentials', async () => {
    const res = await request(app.getHttpServer())
      .get('/me')
      .set('Authorization', 'Basic dXNlcjpwYXNz');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(`Bearer realm="api", ${DEFAULT_DPOP_CHALLENGE}`);
  });

  it.each([
    ['Bearer', 'no token'],
    ['Bearer a.b.c d.e.f', 'two tokens'],
    ['Bearer {"alg":"none"}', 'characters outside b64token'],
  ])('answers a malformed header %j (%s) with 400 invalid_request', async (header) => {
    const res = await request(app.getHttpServer()).get('/me').set('Authorization', header);
    expect(res.status).toBe(400);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="api", error="invalid_request"/);
  });

  it('refuses tokens in the query string unless enabled', async () => {
    const token = await issuer.mint();
    const res = await request(app.getHttpServer()).get(`/me?access_token=${token}`);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/query string/);
    expect(JSON.stringify(res.body)).not.toContain(token);
  });

  it('refuses an expired token beyond the clock tolerance', async () => {
    const token = await issuer.mint({ exp: Math.floor(Date.now() / 1000) - 31 });
    expectInvalidToken(await get('/me', token), /expired/);
  });

  it('accepts a token expired within the clock tolerance', async () => {
    const token = await issuer.mint({ exp: Math.floor(Date.now() / 1000) - 20 });
    await get('/me', token).expect(200);
  });

  it('refuses a token without exp', async () => {
    const token = await issuer.mint({}, { expiresIn: null });
    expectInvalidToken(await get('/me', token), /exp/);
  });

  it('refuses a token that is not valid yet (nbf) and one issued in the future (iat)', async () => {
    const later = Math.floor(Date.now() / 1000) + 120;
    expectInvalidToken(await get('/me', await issuer.mint({ nbf: later })), /not valid yet/);
    expectInvalidToken(await get('/me', await issuer.mint({ iat: later })), /future/);
  });

  it('refuses a token for another audience', async () => {
    const token = await issuer.mint({ aud: 'api://other' });
    expectInvalidToken(await get('/me', token), /audience/);
  });

  it('accepts an aud array that contains this API', async () => {
    const token = await issuer.mint({ aud: ['api://other', issuer.audience] });
    await get('/me', token).expect(200);
  });

  it('refuses a token of an unknown issuer without fetching anything', async () => {
    const before = { ...issuer.requests };
    const token = await issuer.mint({ iss: 'https://evil.example' });
    expectInvalidToken(await get('/me', token), /issuer is not trusted/);
    expect(issuer.requests).toEqual(before);
  });

  it.each(['none', 'None', 'NONE', 'nOnE'])('refuses alg %s', async (alg) => {
    const payload = decodePart(await issuer.mint(), 1);
    expectInvalidToken(
      await get('/me', forge({ alg, typ: 'JWT' }, payload)),
      /signature|algorithm/,
    );
    expectInvalidToken(await get('/me', forge({ alg, typ: 'JWT' }, payload, 'x')), /algorithm/);
  });

  it('refuses HS256 signed with the issuer public key (PEM and JWK forms)', async () => {
    const token = await issuer.mint();
    const payload = decodePart(token, 1);
    const jwk = issuer.jwks().keys[0];
    const pem = createPublicKey({ key: jwk as never, format: 'jwk' })
      .export({ type: 'spki', format: 'pem' })
      .toString();
    for (const secret of [pem, JSON.stringify(jwk)]) {
      const forged = hmacWithPublicKey({ alg: 'HS256', kid: jwk.kid, typ: 'JWT' }, payload, secret);
      expectInvalidToken(await get('/me', forged), /algorithm/);
    }
  });

  it('refuses a tampered payload', async () => {
    const token = await issuer.mint({ scope: 'notes:read' });
    const [h, , s] = token.split('.');
    const payload = { ...decodePart(token, 1), scope: 'notes:read notes:write', sub: 'root' };
    const tampered = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    expectInvalidToken(await get('/me', tampered), /signature/);
  });

  it('refuses a stripped signature', async () => {
    const token = await issuer.mint();
    expectInvalidToken(await get('/me', token.slice(0, token.lastIndexOf('.') + 1)), /signature/);
  });

  it('refuses an unknown kid', async () => {
    const token = await issuer.mint({}, { kid: 'no-such-key' });
    expectInvalidToken(await get('/me', token), /key the issuer does not publish/);
  });

  it('refuses a token with a crit header', async () => {
    const payload = decodePart(await issuer.mint(), 1);
    const token = issuer.signRaw(
      { crit: ['http://example.com/ext'], 'http://example.com/ext': 1 },
      payload,
    );
    expectInvalidToken(await get('/me', token), /critical header/);
  });

  it('accepts a hand-signed token, so the refusals above are about their defects', async () => {
    const payload = decodePart(await issuer.mint(), 1);
    await get('/me', issuer.signRaw({}, payload)).expect(200);
  });

  it('refuses exp given as a string', async () => {
    const payload = {
      ...decodePart(await issuer.mint(), 1),
      exp: String(Math.floor(Date.now() / 1000) + 300),
    };
    expectInvalidToken(await get('/me', issuer.signRaw({}, payload)), /exp/);
  });

  it('never answers with the token or a stack trace', async () => {
    const token = await issuer.mint({ aud: 'api://other' });
    const res = await get('/me', token);
    expect(JSON.stringify(res.body) + JSON.stringify(res.headers)).not.toContain(
      token.split('.')[2],
    );
  });
});
