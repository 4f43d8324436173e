import { Controller, Get, type INestApplication, Post, type Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  OidcAuthModule,
  type OidcAuthModuleOptions,
  policyOf,
  RequireDPoP,
  Scopes,
} from '../../../lib/index.js';
import { dpopKey, makeProof } from '../../support/dpop.js';
import { initApp, type Platform, PLATFORMS, TEST_CONTROLLERS } from '../../support/test-app.js';
import { suiteFixture, suiteIssuer } from '../../support/suite-fixture.js';

@Controller('bound')
class BoundController {
  @RequireDPoP()
  @Get()
  only() {
    return { bound: true };
  }

  @Scopes('notes:write')
  @Post()
  write() {
    return { written: true };
  }
}

const ALGS = 'algs="RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 Ed25519 Ed448 EdDSA"';

async function dpopApp(
  platform: Platform,
  options: OidcAuthModuleOptions,
  controllers: Type[] = [...TEST_CONTROLLERS, BoundController],
): Promise<INestApplication> {
  const ref = await Test.createTestingModule({
    imports: [OidcAuthModule.forRoot(options)],
    controllers,
  }).compile();
  return initApp(ref, platform);
}

describe.each(PLATFORMS)('DPoP (RFC 9449) over HTTP on %s', (platform) => {
  const issuer = suiteIssuer();
  let app: INestApplication;
  const key = suiteFixture(() => dpopKey('ES256'));
  let origin: string;

  beforeAll(async () => {
    app = await dpopApp(platform, { issuers: [issuer.issuerOptions()], audit: { log: false } });
    await app.listen(0, '127.0.0.1');
    origin = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app.close();
  });

  const bound = (claims: Record<string, unknown> = {}, jkt = key.thumbprint) =>
    issuer.mint({ scope: 'notes:read notes:write', cnf: { jkt }, ...claims });
  const proofFor = (token: string, method = 'GET', path = '/notes', signer = key) =>
    makeProof(signer, { htm: method, htu: `${origin}${path}`, accessToken: token });
  const http = () => request(app.getHttpServer());
  /** `method path` with `token` under DPoP and a proof of `method proofPath`. */
  const dpopCall = async (
    method: 'get' | 'post',
    path: string,
    token: string,
    proofPath = path,
  ) => {
    const proof = await proofFor(token, method.toUpperCase(), proofPath);
    return http()[method](path).set('Authorization', `DPoP ${token}`).set('DPoP', proof);
  };

  it('accepts a bound token with a fresh proof, and the same token again with a new proof (cache or not)', async () => {
    const token = await bound();
    for (let i = 0; i < 2; i++) {
      const res = await http()
        .get('/me')
        .set('Authorization', `DPoP ${token}`)
        .set('DPoP', await proofFor(token, 'GET', '/me'));
      expect(res.status).toBe(200);
      expect(res.body.claims.cnf).toEqual({ jkt: key.thumbprint });
    }
  });

  it('refuses a replayed proof, including for a token the cache knows', async () => {
    const token = await bound();
    const proof = await proofFor(token);
    await http().get('/notes').set('Authorization', `DPoP ${token}`).set('DPoP', proof).expect(200);
    const res = await http().get('/notes').set('Authorization', `DPoP ${token}`).set('DPoP', proof);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(
      `Bearer realm="api", scope="notes:read", DPoP ${ALGS}, realm="api", error="invalid_dpop_proof", error_description="The DPoP proof was used before", scope="notes:read"`,
    );
  });

  it('refuses a proof of another key than the token is bound to (invalid_token)', async () => {
    const token = await bound();
    const thief = await dpopKey('ES256');
    const res = await http()
      .get('/notes')
      .set('Authorization', `DPoP ${token}`)
      .set('DPoP', await proofFor(token, 'GET', '/notes', thief));
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(
      /^Bearer realm="api", scope="notes:read", DPoP .*error="invalid_token"/,
    );
    expect(res.body.message).toMatch(/not the key the access token is bound to/);
  });

  it('refuses a bound token sent as Bearer (no downgrade), with the error on Bearer', async () => {
    const token = await bound();
    const res = await http().get('/notes').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(
      /^Bearer realm="api", error="invalid_token", error_description="The access token is DPoP-bound[^"]*", scope="notes:read", DPoP algs="[^"]+", realm="api", scope="notes:read"$/,
    );
  });

  it('refuses an unbound token sent with the DPoP scheme', async () => {
    const token = await issuer.mint({ scope: 'notes:read' });
    const res = await http()
      .get('/notes')
      .set('Authorization', `DPoP ${token}`)
      .set('DPoP', await proofFor(token));
    expect(res.status).toBe(401);
    expect(res.body.message).toMatch(/not DPoP-bound/);
    expect(res.headers['www-authenticate']).toMatch(/DPoP .*error="invalid_token"/);
  });

  it('still takes unbound Bearer tokens where DPoP is allowed', async () => {
    const token = await issuer.mint({ scope: 'notes:read' });
    await http().get('/notes').set('Authorization', `Bearer ${token}`).expect(200);
  });

  it.each<[string, (token: string) => Promise<Record<string, string>>, RegExp]>([
    ['no DPoP header', async () => ({}), /no DPoP proof/],
    [
      'two DPoP headers',
      async (token) => ({ DPoP: `${await proofFor(token)}, ${await proofFor(token)}` }),
      /exactly one DPoP/,
    ],
    ['a proof for POST', async (token) => ({ DPoP: await proofFor(token, 'POST') }), /htm/],
    [
      'a proof for another path',
      async (token) => ({ DPoP: await proofFor(token, 'GET', '/me') }),
      /htu/,
    ],
    ['a garbage proof', async () => ({ DPoP: 'not.a.proof' }), /DPoP proof/],
  ])('answers invalid_dpop_proof for %s', async (_what, headers, message) => {
    const token = await bound();
    const res = await http()
      .get('/notes')
      .set('Authorization', `DPoP ${token}`)
      .set(await headers(token));
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(
      /, DPoP algs="[^"]+", realm="api", error="invalid_dpop_proof"/,
    );
    expect(res.body.message).toMatch(message);
    expect(JSON.stringify(res.body)).not.toMatch(/stack|at .*\.ts/);
  });

  it('answers a malformed DPoP authorization header with 400 invalid_request', async () => {
    const res = await http().get('/notes').set('Authorization', 'DPoP a b');
    expect(res.status).toBe(400);
    expect(res.headers['www-authenticate']).toMatch(
      /DPoP algs="[^"]+", realm="api", error="invalid_request"/,
    );
  });

  it('offers both schemes to a request without credentials', async () => {
    const res = await http().get('/notes').expect(401);
    expect(res.headers['www-authenticate']).toBe(
      `Bearer realm="api", scope="notes:read", DPoP ${ALGS}, realm="api", scope="notes:read"`,
    );
  });

  it('checks htm against the real method: a POST route with a POST proof', async () => {
    expect((await dpopCall('post', '/bound', await bound())).status).toBe(201);
  });

  it('ignores the query string for htu', async () => {
    expect((await dpopCall('get', '/notes?page=2', await bound(), '/notes')).status).toBe(200);
  });

  describe('@RequireDPoP()', () => {
    it('refuses Bearer on the route with the error on Bearer and the DPoP challenge', async () => {
      const token = await issuer.mint({ scope: 'notes:read' });
      const res = await http().get('/bound').set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(
        /^Bearer realm="api", error="invalid_token", error_description="This resource requires a DPoP-bound access token[^"]*", DPoP algs=/,
      );
    });

    it('challenges with DPoP only when no credentials came', async () => {
      const res = await http().get('/bound').expect(401);
      expect(res.headers['www-authenticate']).toBe(`DPoP ${ALGS}, realm="api"`);
    });

    it('takes DPoP there', async () => {
      expect((await dpopCall('get', '/bound', await bound())).status).toBe(200);
    });

    it('shows in the route audit', () => {
      expect(policyOf(app)['GET /bound']).toBe('DPoP');
    });
  });
});

describe.each(PLATFORMS)('DPoP modes and nonces on %s', (platform) => {
  const issuer = suiteIssuer();
  const key = suiteFixture(() => dpopKey('PS256'));

  async function started(dpop: OidcAuthModuleOptions['dpop'], controllers?: Type[]) {
    const app = await dpopApp(
      platform,
      { issuers: [issuer.issuerOptions()], audit: { log: false }, dpop },
      controllers,
    );
    await app.listen(0, '127.0.0.1');
    return { app, origin: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
  }

  it("mode 'required' refuses Bearer everywhere and challenges with DPoP only", async () => {
    const { app } = await started({ mode: 'required', algorithms: ['ES256', 'PS256'] });
    try {
      const token = await issuer.mint({ scope: 'notes:read' });
      const refused = await request(app.getHttpServer())
        .get('/notes')
        .set('Authorization', `Bearer ${token}`);
      expect(refused.status).toBe(401);
      expect(refused.headers['www-authenticate']).toMatch(
        /^Bearer realm="api", error="invalid_token".*, DPoP algs="ES256 PS256", realm="api", scope="notes:read"$/,
      );
      const bare = await request(app.getHttpServer()).get('/notes');
      expect(bare.headers['www-authenticate']).toBe(
        'DPoP algs="ES256 PS256", realm="api", scope="notes:read"',
      );
    } finally {
      await app.close();
    }
  });

  it("refuses to start with mode 'off' while a route has @RequireDPoP()", async () => {
    await expect(
      dpopApp(platform, {
        issuers: [issuer.issuerOptions()],
        audit: { log: false },
        dpop: { mode: 'off' },
      }),
    ).rejects.toThrow(/dpop\.mode is 'off', but BoundController\.only has @RequireDPoP\(\)/);
  });

  it("mode 'off' takes no DPoP scheme and refuses bound tokens as Bearer, offering Bearer only", async () => {
    const { app, origin } = await started({ mode: 'off' }, TEST_CONTROLLERS);
    try {
      const token = await issuer.mint({ scope: 'notes:read', cnf: { jkt: key.thumbprint } });
      const dpop = await request(app.getHttpServer())
        .get('/notes')
        .set('Authorization', `DPoP ${token}`)
        .set(
          'DPoP',
          await makeProof(key, { htm: 'GET', htu: `${origin}/notes`, accessToken: token }),
        );
      expect(dpop.status).toBe(401);
      expect(dpop.headers['www-authenticate']).toBe('Bearer realm="api", scope="notes:read"');
      const bearer = await request(app.getHttpServer())
        .get('/notes')
        .set('Authorization', `Bearer ${token}`);
      expect(bearer.status).toBe(401);
      expect(bearer.body.message).toMatch(/DPoP-bound/);
    } finally {
      await app.close();
    }
  });

  it('nonces: use_dpop_nonce with a DPoP-Nonce, then accepted with it and a fresh nonce; another replica with the secret accepts it too', async () => {
    const nonce = { secret: 'x'.repeat(32) };
    const one = await started({ nonce });
    const two = await started({ nonce });
    try {
      const token = await issuer.mint({ scope: 'notes:read', cnf: { jkt: key.thumbprint } });
      const call = async (target: { app: INestApplication; origin: string }, claims = {}) =>
        request(target.app.getHttpServer())
          .get('/notes')
          .set('Authorization', `DPoP ${token}`)
          .set(
            'DPoP',
            await makeProof(key, {
              htm: 'GET',
              htu: `${target.origin}/notes`,
              accessToken: token,
              claims,
            }),
          );
      const asked = await call(one);
      expect(asked.status).toBe(401);
      expect(asked.headers['www-authenticate']).toMatch(
        /DPoP algs="[^"]+", realm="api", error="use_dpop_nonce"/,
      );
      const issued = asked.headers['dpop-nonce'];
      expect(issued).toEqual(expect.any(String));
      const accepted = await call(one, { nonce: issued });
      expect(accepted.status).toBe(200);
      expect(accepted.headers['dpop-nonce']).toEqual(expect.any(String));
      expect((await call(two, { nonce: issued })).status).toBe(200);
      const stale = await call(two, { nonce: 'made-up' });
      expect(stale.status).toBe(401);
      expect(stale.body.message).toMatch(/nonce is not current/);
    } finally {
      await one.app.close();
      await two.app.close();
    }
  });
});
