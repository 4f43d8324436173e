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

  it('gives the RFC 8037 Appendix A.3 thumbprint of an Ed25519 key (members crv, kty, x)', () => {
    const jwk = {
      kty: 'OKP',
      crv: 'Ed25519',
      d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A',
      x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
    };
    expect(jwkThumbprint(jwk)).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
  });

  it('thumbprints an Ed448 key as jose does', async () => {
    const { publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed448', extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'Ed448' };
    expect(jwk.crv).toBe('Ed448');
    expect(jwkThumbprint(jwk)).toBe(await calculateJwkThumbprint(jwk));
  });

  it.each(['ES256', 'ES384', 'ES512', 'RS256', 'Ed25519', 'EdDSA'])(
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
