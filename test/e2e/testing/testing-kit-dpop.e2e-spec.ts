import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DpopKey } from '../../../lib/index.js';
import { dpopProof } from '../../../lib/testing/index.js';
import { auth0AppOnLocalIssuer, PLATFORMS } from '../../support/test-app.js';
import { suiteIssuer } from '../../support/suite-fixture.js';

// The README's DPoP testing example, run for real on both platforms: an application configured
// for a real provider, made to trust the local issuer, called over 127.0.0.1 with kit-made proofs.
describe.each(PLATFORMS)(
  'testing kit: DPoP-bound tokens against an application (%s)',
  (platform) => {
    const issuer = suiteIssuer({ audience: 'api://notes' });
    let app: INestApplication;
    let notes: string;

    beforeAll(async () => {
      app = await auth0AppOnLocalIssuer(issuer, 'api://notes', platform);
      await app.listen(0, '127.0.0.1');
      notes = `${await app.getUrl()}/notes`;
    });

    afterAll(async () => {
      await app.close();
    });

    const status = async (headers: Record<string, string>, url = notes) =>
      (await fetch(url, { headers })).status;

    it('accepts the token with a proof of its key, once per proof', async () => {
      const alice = await issuer.mintDpop({ sub: 'alice', scopes: ['notes:read'] });
      const headers = alice.headers({ method: 'GET', url: notes });
      expect(await status(headers)).toBe(200);
      expect(await status(headers)).toBe(401);
      expect(await status(alice.headers({ method: 'GET', url: `${notes}?page=2` }))).toBe(200);
    });

    it('refuses the token without a proof, as a bearer token, with a stale proof, another URL or another key', async () => {
      const alice = await issuer.mintDpop({ sub: 'alice', scopes: ['notes:read'] });
      const authorization = `DPoP ${alice.token}`;
      const proof = (options: Partial<Parameters<typeof alice.proof>[0]> = {}) =>
        alice.proof({ method: 'GET', url: notes, ...options });
      const thief = dpopProof(await DpopKey.generate(), {
        method: 'GET',
        url: notes,
        token: alice.token,
      });
      expect(await status({ authorization })).toBe(401);
      expect(await status({ authorization: `Bearer ${alice.token}`, dpop: proof() })).toBe(401);
      expect(await status({ authorization, dpop: proof({ claims: { iat: 1_600_000_000 } }) })).toBe(
        401,
      );
      expect(await status({ authorization, dpop: proof({ url: `${notes}/other` }) })).toBe(401);
      expect(await status({ authorization, dpop: proof({ method: 'POST' }) })).toBe(401);
      expect(await status({ authorization, dpop: thief })).toBe(401);
      expect(await status({ authorization, dpop: proof() })).toBe(200);
    });

    it('works with supertest on the listening server', async () => {
      const alice = await issuer.mintDpop({ sub: 'alice', scopes: ['notes:read'] });
      await request(app.getHttpServer())
        .get('/notes')
        .set(alice.headers({ method: 'GET', url: notes }))
        .expect(200);
    });

    it('refuses a token bound to another key, whoever signs the proof', async () => {
      const mallory = await issuer.mintDpop({
        sub: 'mallory',
        scopes: ['notes:read'],
        claims: { cnf: { jkt: (await DpopKey.generate()).thumbprint } },
      });
      expect(await status(mallory.headers({ method: 'GET', url: notes }))).toBe(401);
    });
  },
);
