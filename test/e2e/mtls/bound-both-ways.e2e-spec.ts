import type { INestApplication } from '@nestjs/common';
import { type AuthEvent, OidcAuthEvents, type OidcAuthModuleOptions } from '../../../lib/index.js';
import { DpopKey } from '../../../lib/client/dpop-key.js';
import { dpopProof } from '../../../lib/testing/index.js';
import {
  aliceAndMallory,
  boundTo,
  type CertificatePair,
  type TestPki,
} from '../../support/certificates.js';
import { decodePart } from '../../support/forge.js';
import { httpsTestApp } from '../../support/https-app.js';
import { httpsCall } from '../../support/https-client.js';
import { LocalIntrospectionEndpoint } from '../../support/introspection-endpoint.js';
import { suiteFixture, suiteIssuer } from '../../support/suite-fixture.js';
import { trusted } from '../../support/trusted.js';

async function httpsApp(
  options: OidcAuthModuleOptions,
  pki: TestPki,
): Promise<{ app: INestApplication; url: string; events: AuthEvent[] }> {
  const { app, url } = await httpsTestApp('express', options, pki);
  const events: AuthEvent[] = [];
  app.get(OidcAuthEvents).events$.subscribe((e) => events.push(e));
  return { app, url, events };
}

describe('certificate-bound tokens beside DPoP and introspection (Express over HTTPS)', () => {
  const issuer = suiteIssuer();
  const certs = suiteFixture(aliceAndMallory);

  describe('a token bound to a DPoP key and a client certificate (cnf.jkt and cnf.x5t#S256)', () => {
    let app: INestApplication;
    let url: string;
    let events: AuthEvent[];

    beforeAll(async () => {
      ({ app, url, events } = await httpsApp({ issuers: trusted(issuer) }, certs.pki));
    });
    beforeEach(() => events.splice(0));
    afterAll(() => app.close());

    const get = (headers: Record<string, string>, certificate?: CertificatePair) =>
      httpsCall(`${url}/me`, { ca: certs.pki.ca.cert, certificate, headers });

    it('binds the token both ways', async () => {
      const bound = await issuer.mintDpop({ sub: 'alice' }, { certificate: certs.alice.cert });
      expect(decodePart(bound.token, 1).cnf).toEqual({
        jkt: bound.key.thumbprint,
        ...boundTo(certs.alice).cnf,
      });
    });

    it('admits it with a proof by its key from the client holding its certificate', async () => {
      const bound = await issuer.mintDpop({ sub: 'alice' }, { certificate: certs.alice.cert });
      const answer = await get(bound.headers({ method: 'GET', url: `${url}/me` }), certs.alice);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ subject: 'alice' });
      expect(events.map((e) => e.outcome)).toEqual(['allowed']);
    });

    it('refuses it with a valid proof but without the certificate, or with another one', async () => {
      const bound = await issuer.mintDpop({ sub: 'alice' }, { certificate: certs.alice.cert });
      const missing = await get(bound.headers({ method: 'GET', url: `${url}/me` }));
      const mismatch = await get(bound.headers({ method: 'GET', url: `${url}/me` }), certs.mallory);
      for (const answer of [missing, mismatch]) {
        expect(answer.status).toBe(401);
        expect(answer.headers['www-authenticate']).toMatch(
          /DPoP algs="[^"]+", realm="api", error="invalid_token"/,
        );
      }
      expect(events.map((e) => e.reason)).toEqual(['certificate_missing', 'certificate_mismatch']);
    });

    it('refuses it from the certificate holder without a proof by its key', async () => {
      const bound = await issuer.mintDpop({ sub: 'alice' }, { certificate: certs.alice.cert });
      const other = await DpopKey.generate();
      const asBearer = await get({ authorization: `Bearer ${bound.token}` }, certs.alice);
      const wrongKey = await get(
        {
          authorization: `DPoP ${bound.token}`,
          dpop: dpopProof(other, { method: 'GET', url: `${url}/me`, token: bound.token }),
        },
        certs.alice,
      );
      const noProof = await get({ authorization: `DPoP ${bound.token}` }, certs.alice);
      expect([asBearer.status, wrongKey.status, noProof.status]).toEqual([401, 401, 401]);
      expect(events.map((e) => e.reason)).toEqual([
        'dpop_bound_token_as_bearer',
        'dpop_binding_mismatch',
        'dpop_proof_missing',
      ]);
    });

    it('still admits a token bound to a DPoP key only, with its proof and no certificate', async () => {
      const bound = await issuer.mintDpop({ sub: 'bob' });
      const answer = await get(bound.headers({ method: 'GET', url: `${url}/me` }));
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ subject: 'bob' });
    });
  });

  describe('a certificate-bound opaque token (cnf in the introspection answer)', () => {
    let endpoint: LocalIntrospectionEndpoint;
    let app: INestApplication;
    let url: string;
    let events: AuthEvent[];

    beforeAll(async () => {
      endpoint = await LocalIntrospectionEndpoint.start();
      ({ app, url, events } = await httpsApp(
        {
          issuers: [
            issuer.issuerOptions({
              introspection: {
                clientId: 'notes-api',
                clientSecret: 'notes-api-secret',
                endpoint: endpoint.url,
                timeoutMs: 2_000,
              },
            }),
          ],
          warmUp: false,
        },
        certs.pki,
      ));
    });
    beforeEach(() => events.splice(0));
    afterAll(async () => {
      await app.close();
      await endpoint.stop();
    });

    const opaque = (members: Record<string, unknown>) =>
      endpoint.issue({
        iss: issuer.issuer,
        aud: issuer.audience,
        sub: 'alice',
        token_type: 'Bearer',
        exp: Math.floor(Date.now() / 1000) + 300,
        ...members,
      });
    const get = (token: string, certificate?: CertificatePair) =>
      httpsCall(`${url}/me`, { ca: certs.pki.ca.cert, token, certificate });

    it('admits it only from the client holding its certificate, introspected or remembered', async () => {
      const token = opaque(boundTo(certs.alice));
      expect((await get(token, certs.alice)).status).toBe(200);
      expect((await get(token)).status).toBe(401);
      expect((await get(token, certs.mallory)).status).toBe(401);
      expect((await get(token, certs.alice)).status).toBe(200);
      expect(events.map((e) => e.reason ?? e.outcome)).toEqual([
        'allowed',
        'certificate_missing',
        'certificate_mismatch',
        'allowed',
      ]);
    });

    it('refuses one bound by a confirmation method the API does not verify', async () => {
      const answer = await get(opaque({ cnf: { jwk: { kty: 'EC' } } }), certs.alice);
      expect(answer.status).toBe(401);
      expect(events.map((e) => e.reason)).toEqual(['unsupported_confirmation']);
    });
  });
});
