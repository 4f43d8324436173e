import { Controller, Get, type INestApplication, UseGuards } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { OIDC_AUTH_STRATEGY, OidcAuthModule, Principal, Public } from '../../../lib/index.js';
import { LocalIssuer } from '../../../lib/testing/index.js';
import { initApp, PLATFORMS, TEST_CONTROLLERS } from '../../support/test-app.js';

@Public()
@UseGuards(AuthGuard(OIDC_AUTH_STRATEGY))
@Controller('passport')
class PassportController {
  @Get()
  subject(@Principal('subject') subject: string) {
    return { subject };
  }
}

// EdDSA end to end over 127.0.0.1: keys published by a real JWKS endpoint, the module configured
// with no algorithm option at all, on the guard and on the passport strategy.
describe.each(PLATFORMS)(
  'EdDSA access tokens and DPoP proofs (RFC 8037, RFC 9864) on %s',
  (platform) => {
    let issuer: LocalIssuer;
    let app: INestApplication;
    let origin: string;
    const kids: Record<string, string> = {};

    beforeAll(async () => {
      issuer = await LocalIssuer.start({ alg: 'EdDSA', audience: 'https://api.example.test' });
      kids.EdDSA = issuer.currentKid;
      kids.Ed448 = await issuer.addKey({ alg: 'Ed448' });
      kids.Ed25519 = await issuer.addKey({ alg: 'Ed25519' });
      const ref = await Test.createTestingModule({
        imports: [
          OidcAuthModule.forRoot({
            issuers: [issuer.issuerOptions()],
            audit: { log: false },
            protectedResource: { resource: 'https://api.example.test' },
          }),
        ],
        controllers: [...TEST_CONTROLLERS, PassportController],
      }).compile();
      app = await initApp(ref, platform);
      await app.listen(0, '127.0.0.1');
      origin = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    });

    afterAll(async () => {
      await app.close();
      await issuer.close();
    });

    const http = () => request(app.getHttpServer());
    const mint = (alg: 'EdDSA' | 'Ed25519' | 'Ed448', kid = kids[alg]) =>
      issuer.mint({ sub: `alice-${alg}` }, { kid, alg });

    it.each(['EdDSA', 'Ed25519', 'Ed448'] as const)(
      'accepts %s tokens with the default algorithms, on the guard and through passport',
      async (alg) => {
        const token = await mint(alg);
        expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).alg).toBe(alg);
        const me = await http().get('/me').set('Authorization', `Bearer ${token}`);
        expect(me.status).toBe(200);
        expect(me.body.subject).toBe(`alice-${alg}`);
        const passport = await http().get('/passport').set('Authorization', `Bearer ${token}`);
        expect(passport.status).toBe(200);
        expect(passport.body).toEqual({ subject: `alice-${alg}` });
      },
    );

    it("refuses a token whose alg differs from its key's, with 401 invalid_token, on both paths", async () => {
      // The Ed448 key is published as `alg: Ed448`: EdDSA, though the same curve, is not its algorithm.
      const token = await mint('EdDSA', kids.Ed448);
      for (const path of ['/me', '/passport']) {
        const res = await http().get(path).set('Authorization', `Bearer ${token}`);
        expect(res.status).toBe(401);
      }
      const res = await http().get('/me').set('Authorization', `Bearer ${token}`);
      expect(res.headers['www-authenticate']).toMatch(/error="invalid_token"/);
    });

    it('refuses a forged Ed25519 signature on both paths', async () => {
      const [header, payload] = (await mint('Ed25519')).split('.');
      const forged = `${header}.${payload}.${Buffer.alloc(64).toString('base64url')}`;
      for (const path of ['/me', '/passport']) {
        expect((await http().get(path).set('Authorization', `Bearer ${forged}`)).status).toBe(401);
      }
    });

    it('advertises the EdDSA names in the RFC 9728 metadata (dpop_signing_alg_values_supported)', async () => {
      const res = await http().get('/.well-known/oauth-protected-resource');
      expect(res.status).toBe(200);
      expect(res.body.dpop_signing_alg_values_supported).toEqual(
        expect.arrayContaining(['ES256', 'Ed25519', 'Ed448', 'EdDSA']),
      );
    });

    it.each(['Ed25519', 'Ed448', 'EdDSA'] as const)(
      'accepts a token bound to a %s DPoP key with the kit’s proofs, and advertises the EdDSA algs',
      async (algorithm) => {
        const bound = await issuer.mintDpop({ sub: 'bob' }, { algorithm });
        expect(bound.key.publicJwk.kty).toBe('OKP');
        const url = `${origin}/me`;
        const res = await http()
          .get('/me')
          .set(bound.headers({ method: 'GET', url }));
        expect(res.status).toBe(200);
        expect(res.body.claims.cnf).toEqual({ jkt: bound.key.thumbprint });
        const bearer = await http().get('/me').set('Authorization', `Bearer ${bound.token}`);
        expect(bearer.status).toBe(401);
        // The passport path, where EdDSA tokens skip jsonwebtoken, refuses the downgrade too.
        const passport = await http()
          .get('/passport')
          .set('Authorization', `Bearer ${bound.token}`);
        expect(passport.status).toBe(401);
        expect(bearer.headers['www-authenticate']).toMatch(
          /DPoP algs="[^"]*\bEd25519 Ed448 EdDSA"/,
        );
      },
    );
  },
);
