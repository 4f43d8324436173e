import { type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { Test } from '@nestjs/testing';
import { type AuthEvent, OidcAuthEvents, OidcAuthModule } from '../../../lib/index.js';
import { LocalIssuer } from '../../../lib/testing/index.js';
import {
  aliceAndMallory,
  boundTo,
  type CertificatePair,
  createTestPki,
  escapedPem,
} from '../../support/certificates.js';
import { decodePart } from '../../support/forge.js';
import { httpsTestApp } from '../../support/https-app.js';
import { type HttpsAnswer, httpsCall } from '../../support/https-client.js';
import { createTestApp, PLATFORMS, TEST_CONTROLLERS } from '../../support/test-app.js';
import { suiteFixture, suiteIssuer } from '../../support/suite-fixture.js';
import { trusted } from '../../support/trusted.js';
import { passportController } from '../../support/passport-controller.js';

function refusedFor(answer: HttpsAnswer, message: RegExp): void {
  expect(answer.status).toBe(401);
  expect(answer.headers['www-authenticate']).toMatch(/^Bearer realm="api", error="invalid_token"/);
  expect((answer.body as { message: string }).message).toMatch(message);
}

describe.each(PLATFORMS)('certificate-bound tokens over HTTPS (%s)', (platform) => {
  const issuer = suiteIssuer();
  const certs = suiteFixture(aliceAndMallory);
  let app: INestApplication;
  let url: string;
  let events: AuthEvent[];

  describe('with the certificate of the TLS connection (the default)', () => {
    beforeAll(async () => {
      ({ app, url } = await httpsTestApp(platform, { issuers: trusted(issuer) }, certs.pki));
      app.get(OidcAuthEvents).events$.subscribe((e) => events.push(e));
    });
    beforeEach(() => (events = []));
    afterAll(() => app.close());

    const call = (token: string, certificate?: CertificatePair, headers?: Record<string, string>) =>
      httpsCall(`${url}/me`, { ca: certs.pki.ca.cert, token, certificate, headers });

    it('admits a bound token from the client holding its certificate', async () => {
      const token = await issuer.mint({ sub: 'alice', ...boundTo(certs.alice) });
      const answer = await call(token, certs.alice);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ subject: 'alice', claims: boundTo(certs.alice) });
    });

    it("mints bound tokens with the testing kit's certificate option", async () => {
      const token = await issuer.mintToken(
        { sub: 'alice', scopes: ['notes:read'] },
        { certificate: certs.alice.cert },
      );
      expect(decodePart(token, 1).cnf).toEqual(boundTo(certs.alice).cnf);
      expect((await call(token, certs.alice)).status).toBe(200);
      refusedFor(await call(token, certs.mallory), /not the one/);
    });

    it('refuses it without a client certificate, and with another client certificate', async () => {
      const token = await issuer.mint({ sub: 'alice', ...boundTo(certs.alice) });
      refusedFor(
        await call(token),
        /bound to a client certificate, and the request presented none/,
      );
      refusedFor(await call(token, certs.mallory), /not the one the access token is bound to/);
      expect(events.map((e) => e.reason)).toEqual(['certificate_missing', 'certificate_mismatch']);
    });

    it('admits a certificate no CA vouches for when the token names it (RFC 8705 §2.2)', async () => {
      const selfSigned = await certs.pki.selfSigned();
      const token = await issuer.mint({ ...boundTo(selfSigned) });
      expect((await call(token, selfSigned)).status).toBe(200);
      refusedFor(await call(token, certs.alice), /not the one/);
    });

    it('checks the binding of a token served from the verified-token cache', async () => {
      const token = await issuer.mint({ ...boundTo(certs.alice) });
      for (let i = 0; i < 3; i += 1) expect((await call(token, certs.alice)).status).toBe(200);
      refusedFor(await call(token, certs.mallory), /not the one/);
      refusedFor(await call(token), /presented none/);
      expect((await call(token, certs.alice)).status).toBe(200);
      expect(events.map((e) => [e.outcome, e.cached ?? null, e.reason ?? null])).toEqual([
        ['allowed', false, null],
        ['allowed', false, null],
        ['allowed', true, null],
        ['refused', null, 'certificate_mismatch'],
        ['refused', null, 'certificate_missing'],
        ['allowed', true, null],
      ]);
    });

    it('ignores a certificate header: only a configured proxy may send one', async () => {
      const token = await issuer.mint({ ...boundTo(certs.alice) });
      const forged = {
        'x-client-cert': escapedPem(certs.alice.cert),
        'x-ssl-client-cert': escapedPem(certs.alice.cert),
      };
      refusedFor(await call(token, undefined, forged), /presented none/);
      refusedFor(await call(token, certs.mallory, forged), /not the one/);
    });

    it('leaves bearer tokens as they were, with or without a client certificate', async () => {
      const token = await issuer.mint({ sub: 'bob' });
      expect((await call(token)).status).toBe(200);
      expect((await call(token, certs.mallory)).status).toBe(200);
    });

    it('refuses a token bound by a method it cannot verify, and a malformed binding', async () => {
      const jwkBound = await issuer.mint({ cnf: { jwk: { kty: 'EC', crv: 'P-256' } } });
      refusedFor(
        await call(jwkBound, certs.alice),
        /confirmation method this API does not verify \(cnf\.jwk\)/,
      );
      const malformed = await issuer.mint({ cnf: { 'x5t#S256': certs.alice.der.toString('hex') } });
      refusedFor(await call(malformed, certs.alice), /cnf\.x5t#S256 must be the base64url SHA-256/);
      expect(events.map((e) => e.reason)).toEqual(['unsupported_confirmation', 'claim_invalid']);
    });
  });

  describe('with the certificate header of a TLS-terminating proxy', () => {
    beforeAll(async () => {
      ({ app, url } = await httpsTestApp(
        platform,
        {
          issuers: trusted(issuer),
          mtls: { certificateHeader: 'X-Client-Cert' },
        },
        certs.pki,
      ));
    });
    afterAll(() => app.close());

    const call = (token: string, header?: string, certificate?: CertificatePair) =>
      httpsCall(`${url}/me`, {
        ca: certs.pki.ca.cert,
        token,
        certificate,
        headers: header === undefined ? {} : { 'x-client-cert': header },
      });

    it('admits a bound token whose certificate the proxy forwarded, URL-encoded', async () => {
      const token = await issuer.mint({ sub: 'alice', ...boundTo(certs.alice) });
      const answer = await call(token, escapedPem(certs.alice.cert));
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ subject: 'alice' });
    });

    it('refuses another certificate, and none, whatever the connection presented', async () => {
      const token = await issuer.mint({ ...boundTo(certs.alice) });
      refusedFor(await call(token, escapedPem(certs.mallory.cert), certs.alice), /not the one/);
      // The connection is the proxy's: its certificate says nothing about the client.
      refusedFor(await call(token, undefined, certs.alice), /presented none/);
      refusedFor(await call(token, ''), /presented none/);
    });

    it('answers a malformed header with 400 invalid_request, never 500', async () => {
      const token = await issuer.mint({ ...boundTo(certs.alice) });
      for (const [value, message] of [
        ['garbage', /not a URL-encoded PEM certificate/],
        ['%E0%A4%A', /not URL-encoded/],
        [escapedPem(certs.alice.cert + certs.mallory.cert), /carries 2 certificates/],
        [`${escapedPem(certs.alice.cert)}${'A'.repeat(16 * 1024)}`, /longer than 16384/],
        [
          escapedPem('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'),
          /does not hold an X.509 certificate/,
        ],
      ] as const) {
        const answer = await call(token, value);
        expect(answer.status).toBe(400);
        expect(answer.headers['www-authenticate']).toMatch(/error="invalid_request"/);
        expect((answer.body as { message: string }).message).toMatch(message);
      }
    });

    it('leaves bearer tokens alone, whatever the header holds', async () => {
      const token = await issuer.mint({ sub: 'bob' });
      expect((await call(token)).status).toBe(200);
      expect((await call(token, 'garbage')).status).toBe(200);
    });
  });
});

describe.each(PLATFORMS)("the passport strategy, AuthGuard('oidc-auth') (%s)", (platform) => {
  it('checks the binding as the guard does', async () => {
    const pki = await createTestPki();
    const [alice, mallory] = [await pki.client(), await pki.client()];
    const issuer = await LocalIssuer.start();
    const app = await createTestApp(
      OidcAuthModule.forRoot({
        issuers: trusted(issuer),
        mtls: { certificateHeader: 'x-client-cert' },
        globalGuard: false,
      }),
      { controllers: [passportController()] },
      platform,
    );
    try {
      const token = await issuer.mint({ sub: 'alice', ...boundTo(alice) });
      const call = (certificate?: CertificatePair) => {
        const req = request(app.getHttpServer())
          .get('/passport')
          .set('Authorization', `Bearer ${token}`);
        return certificate ? req.set('x-client-cert', escapedPem(certificate.cert)) : req;
      };
      expect((await call(alice)).body).toEqual({ subject: 'alice' });
      expect((await call(mallory)).status).toBe(401);
      expect((await call()).status).toBe(401);
    } finally {
      await app.close();
      await issuer.close();
    }
  });
});

describe('mtls options', () => {
  it('refuses a certificate header no proxy could set for the client alone', async () => {
    const issuer = await LocalIssuer.start();
    try {
      for (const certificateHeader of ['', 'Authorization', 'x client cert', 'dpop']) {
        await expect(
          Test.createTestingModule({
            imports: [
              OidcAuthModule.forRoot({
                issuers: trusted(issuer),
                mtls: { certificateHeader },
                warmUp: false,
              }),
            ],
            controllers: TEST_CONTROLLERS,
          })
            .compile()
            .then((ref) => ref.createNestApplication({ logger: false }).init()),
        ).rejects.toThrow(/mtls\.certificateHeader must be the name of the header/);
      }
    } finally {
      await issuer.close();
    }
  });
});
