import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { jwkThumbprint } from '../../../../lib/core/jose/jwk-thumbprint.js';

describe('jwkThumbprint (RFC 7638)', () => {
  it('gives the RFC 7638 §3.1 example thumbprint', () => {
    const jwk = {
      kty: 'RSA',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    };
    expect(jwkThumbprint(jwk)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it.each(['ES256', 'ES384', 'ES512', 'RS256', 'Ed25519'])(
    'agrees with jose for a %s key, whatever other members it has',
    async (alg) => {
      const { publicKey } = await generateKeyPair(alg, { extractable: true });
      const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', use: 'sig', alg };
      expect(jwkThumbprint(jwk)).toBe(await calculateJwkThumbprint(jwk));
    },
  );

  it.each([
    [{ kty: 'oct', k: 'c2VjcmV0' }, 'a symmetric key'],
    [{ kty: 'EC', crv: 'P-256', x: 'AA' }, 'a missing member'],
    [{ kty: 'RSA', n: 1, e: 'AQAB' }, 'a member that is no string'],
    [{ n: 'AA', e: 'AQAB' }, 'no kty'],
  ])('gives none for %j (%s)', (jwk, _why) => {
    expect(jwkThumbprint(jwk)).toBeUndefined();
  });
});
