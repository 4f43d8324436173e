import { createHash, createPublicKey } from 'node:crypto';
import {
  calculateJwkThumbprint,
  compactVerify,
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  EmbeddedJWK,
  type JWK,
  jwtVerify,
} from 'jose';
import { DpopKey } from '../../../lib/client/dpop-key.js';
import { dpopProof } from '../../../lib/testing/index.js';
import { suiteIssuer } from '../../support/suite-fixture.js';

describe('testing kit: DPoP-bound tokens and proofs', () => {
  const issuer = suiteIssuer();

  it('mints a token bound to the key its proofs carry, and proofs jose accepts for it', async () => {
    const bound = await issuer.mintDpop({ sub: 'alice', scopes: ['notes:read'] });
    const { payload: claims } = await jwtVerify(
      bound.token,
      createLocalJWKSet(issuer.jwks() as { keys: JWK[] }),
      { issuer: issuer.issuer, audience: issuer.audience },
    );
    expect(claims).toMatchObject({ sub: 'alice', scope: 'notes:read' });

    const { authorization, dpop } = bound.headers({
      method: 'GET',
      url: 'http://127.0.0.1:3000/notes?page=1',
    });
    expect(authorization).toBe(`DPoP ${bound.token}`);
    const { payload, protectedHeader } = await jwtVerify(dpop, EmbeddedJWK, { typ: 'dpop+jwt' });
    expect((claims.cnf as { jkt: string }).jkt).toBe(
      await calculateJwkThumbprint(protectedHeader.jwk as JWK, 'sha256'),
    );
    expect(payload).toMatchObject({
      htm: 'GET',
      htu: 'http://127.0.0.1:3000/notes',
      ath: createHash('sha256').update(bound.token).digest('base64url'),
    });
  });

  it('binds to the key or algorithm the test asks for, and lets a test replace the binding', async () => {
    const key = await DpopKey.generate('ES384');
    const bound = await issuer.mintDpop({}, { key });
    expect(decodeJwt(bound.token).cnf).toEqual({ jkt: key.thumbprint });
    const ed = await issuer.mintDpop({}, { algorithm: 'EdDSA' });
    expect(ed.key.algorithm).toBe('EdDSA');
    const mismatched = await issuer.mintDpop({ claims: { cnf: { jkt: 'someone-else' } } });
    expect(decodeJwt(mismatched.token).cnf).toEqual({ jkt: 'someone-else' });
  });

  it('makes the broken proofs refusal tests need, still validly signed', async () => {
    const bound = await issuer.mintDpop();
    const stale = bound.proof({
      method: 'POST',
      url: 'http://127.0.0.1/x',
      nonce: 'n-1',
      header: { typ: 'JWT', jwk: { ...bound.key.publicJwk, d: 'leaked' } },
      claims: { iat: 1, jti: 'fixed', ath: undefined },
    });
    expect(decodeProtectedHeader(stale)).toMatchObject({ typ: 'JWT', jwk: { d: 'leaked' } });
    const claims = decodeJwt(stale);
    expect(claims).toMatchObject({ iat: 1, jti: 'fixed', nonce: 'n-1', htm: 'POST' });
    expect(claims).not.toHaveProperty('ath');
    const { payload } = await compactVerify(stale, createPublicKey(bound.key.privateKey));
    expect(JSON.parse(new TextDecoder().decode(payload))).toEqual(claims);
  });

  it('makes proofs without a token for token-endpoint style requests', async () => {
    const key = await DpopKey.generate();
    const proof = dpopProof(key, { method: 'POST', url: 'http://127.0.0.1/token' });
    const { payload } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt' });
    expect(payload).not.toHaveProperty('ath');
    expect(payload.htu).toBe('http://127.0.0.1/token');
  });
});
