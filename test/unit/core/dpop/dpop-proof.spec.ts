import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { EmbeddedJWK, exportJWK, jwtVerify } from 'jose';
import {
  InvalidDPoPProofError,
  UseDPoPNonceError,
} from '../../../../lib/protocol/errors/errors.js';
import { DPoPNonces } from '../../../../lib/core/dpop/dpop-nonce.js';
import {
  accessTokenHash,
  boundThumbprint,
  DPoPProofVerifier,
} from '../../../../lib/core/dpop/dpop-proof.js';
import { OidcAuthConfigError } from '../../../../lib/core/config/config-error.js';
import { athOf, dpopKey, makeProof, signRawProof } from '../../../support/dpop.js';
import { thrown } from '../../../support/thrown.js';
import { suiteFixture } from '../../../support/suite-fixture.js';

const HTU = 'https://api.example.com/notes';
const TOKEN = 'header.payload.signature';
const request = (overrides: Partial<Parameters<DPoPProofVerifier['verify']>[1]> = {}) => ({
  method: 'GET',
  htu: HTU,
  accessToken: TOKEN,
  nowMs: Date.now(),
  ...overrides,
});

const refusal = (run: () => unknown) => thrown(InvalidDPoPProofError, run);

describe('DPoPProofVerifier', () => {
  const key = suiteFixture(() => dpopKey('ES256'));
  const verifier = new DPoPProofVerifier();
  const proof = (options: Partial<Parameters<typeof makeProof>[1]> = {}) =>
    makeProof(key, { htm: 'GET', htu: HTU, accessToken: TOKEN, ...options });

  it.each(['ES256', 'ES384', 'ES512', 'RS256', 'PS256', 'PS512'])(
    'accepts a proof jose made with %s, and gives its key thumbprint and jti',
    async (alg) => {
      const other = await dpopKey(alg);
      const made = await makeProof(other, {
        htm: 'GET',
        htu: HTU,
        accessToken: TOKEN,
        claims: { jti: 'id-1' },
      });
      expect(verifier.verify(made, request())).toMatchObject({
        thumbprint: other.thumbprint,
        jti: 'id-1',
      });
    },
  );

  it('accepts an htu that differs only in normalisation, query and fragment', async () => {
    const made = await proof({ htu: 'HTTPS://api.EXAMPLE.com:443/./notes?page=2#x' });
    expect(verifier.verify(made, request()).thumbprint).toBe(key.thumbprint);
  });

  it.each<[string, () => Promise<string>, string]>([
    ['not a JWT', async () => 'abc', 'dpop_proof_malformed'],
    [
      'a non-canonical header',
      async () => (await proofOf()).replace('.', '=.'),
      'dpop_proof_malformed',
    ],
    [
      'a non-canonical signature',
      async () => `${await proofOf()}=`,
      'dpop_proof_signature_invalid',
    ],
    ['typ JWT', () => proofOf({ header: { typ: 'JWT' } }), 'dpop_proof_typ_mismatch'],
    ['no typ', () => proofOf({ header: { typ: undefined } }), 'dpop_proof_typ_mismatch'],
    ['no jwk', () => proofOf({ header: { jwk: undefined } }), 'dpop_proof_key_invalid'],
    [
      'a jwk of another kty',
      () => proofOf({ header: { jwk: { kty: 'RSA', n: 'AQAB', e: 'AQAB' } } }),
      'dpop_proof_key_invalid',
    ],
    [
      'a jwk that did not sign it',
      async () => proofOf({ header: { jwk: (await dpopKey()).publicJwk } }),
      'dpop_proof_signature_invalid',
    ],
    ['no jti', () => proofOf({ claims: { jti: undefined } }), 'dpop_proof_jti_invalid'],
    [
      'a jti of 257 characters',
      () => proofOf({ claims: { jti: 'x'.repeat(257) } }),
      'dpop_proof_jti_invalid',
    ],
    ['htm POST on a GET', () => proofOf({ htm: 'POST' }), 'dpop_proof_htm_mismatch'],
    ['htm get (case differs)', () => proofOf({ htm: 'get' }), 'dpop_proof_htm_mismatch'],
    [
      'htu of another path',
      () => proofOf({ htu: 'https://api.example.com/admin' }),
      'dpop_proof_htu_mismatch',
    ],
    [
      'htu of another host',
      () => proofOf({ htu: 'https://evil.example/notes' }),
      'dpop_proof_htu_mismatch',
    ],
    [
      'htu over http',
      () => proofOf({ htu: 'http://api.example.com/notes' }),
      'dpop_proof_htu_mismatch',
    ],
    ['a relative htu', () => proofOf({ htu: '/notes' }), 'dpop_proof_htu_mismatch'],
    ['no htu', () => proofOf({ claims: { htu: undefined } }), 'dpop_proof_htu_mismatch'],
    ['iat 301 s old', () => proofOf({ claims: { iat: now() - 301 } }), 'dpop_proof_iat_invalid'],
    ['iat 10 s ahead', () => proofOf({ claims: { iat: now() + 10 } }), 'dpop_proof_iat_invalid'],
    [
      'iat as a string',
      () => proofOf({ claims: { iat: String(now()) } }),
      'dpop_proof_iat_invalid',
    ],
    ['no ath', () => proofOf({ accessToken: undefined }), 'dpop_proof_ath_mismatch'],
    [
      'the ath of another token',
      () => proofOf({ accessToken: 'another.token.x' }),
      'dpop_proof_ath_mismatch',
    ],
  ])('refuses a proof with %s', async (_what, make, reason) => {
    const made = await make();
    const err = refusal(() => verifier.verify(made, request()));
    expect(err.reason).toBe(reason);
    expect(err.message).toMatch(/DPoP proof/);
  });

  // Made with the key of the enclosing suite at the time the test runs.
  function proofOf(options: Partial<Parameters<typeof makeProof>[1]> = {}): Promise<string> {
    return proof(options);
  }

  const claims = () => ({ jti: 'a', htm: 'GET', htu: HTU, iat: now(), ath: athOf(TOKEN) });

  it.each([
    ['EdDSA', undefined],
    ['EdDSA', 'Ed448'],
    ['Ed25519', undefined],
  ])('accepts a proof jose made with %s (%s), an OKP key (RFC 8037)', async (alg, crv) => {
    const other = await dpopKey(alg, crv);
    expect(other.publicJwk).toMatchObject({ kty: 'OKP', crv: crv ?? 'Ed25519' });
    const made = await makeProof(other, { htm: 'GET', htu: HTU, accessToken: TOKEN });
    expect(verifier.verify(made, request()).thumbprint).toBe(other.thumbprint);
  });

  it('accepts RFC 9864 Ed448 on an Ed448 key, and refuses each Ed name on the other curve', async () => {
    const ed448 = generateKeyPairSync('ed448');
    const ed25519 = generateKeyPairSync('ed25519');
    const jwk448 = await exportJWK(ed448.publicKey);
    const jwk25519 = await exportJWK(ed25519.publicKey);
    const good = signRawProof(
      { alg: 'Ed448', typ: 'dpop+jwt', jwk: jwk448 },
      claims(),
      ed448.privateKey,
    );
    expect(verifier.verify(good, request()).jti).toBe('a');
    for (const [alg, jwk, privateKey] of [
      ['Ed25519', jwk448, ed448.privateKey],
      ['Ed448', jwk25519, ed25519.privateKey],
    ] as const) {
      const made = signRawProof({ alg, typ: 'dpop+jwt', jwk }, claims(), privateKey);
      expect(refusal(() => verifier.verify(made, request())).reason).toBe('dpop_proof_key_invalid');
    }
  });

  it('refuses EdDSA with an EC jwk, an X25519 jwk or a private OKP jwk', async () => {
    const ed25519 = generateKeyPairSync('ed25519');
    const header = { alg: 'EdDSA', typ: 'dpop+jwt' };
    const ec = await exportJWK(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey);
    const x25519 = await exportJWK(generateKeyPairSync('x25519').publicKey);
    for (const jwk of [ec, x25519, await exportJWK(ed25519.privateKey)]) {
      const made = signRawProof({ ...header, jwk }, claims(), ed25519.privateKey);
      expect(refusal(() => verifier.verify(made, request())).reason).toBe('dpop_proof_key_invalid');
    }
  });

  it('refuses a jwk with private members, even when the proof verifies', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const header = { alg: 'ES256', typ: 'dpop+jwt' };
    const good = signRawProof({ ...header, jwk: await exportJWK(publicKey) }, claims(), privateKey);
    expect(verifier.verify(good, request()).jti).toBe('a');
    const made = signRawProof(
      { ...header, jwk: await exportJWK(privateKey) },
      claims(),
      privateKey,
    );
    expect(refusal(() => verifier.verify(made, request())).reason).toBe('dpop_proof_key_invalid');
  });

  it('refuses a critical header extension', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = await exportJWK(publicKey);
    const made = signRawProof(
      { alg: 'ES256', typ: 'dpop+jwt', jwk, crit: ['exp'], exp: 1 },
      claims(),
      privateKey,
    );
    expect(refusal(() => verifier.verify(made, request())).reason).toBe('dpop_proof_malformed');
  });

  it('refuses an RSA key shorter than 2048 bits', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const jwk = await exportJWK(publicKey);
    const made = signRawProof({ alg: 'RS256', typ: 'dpop+jwt', jwk }, claims(), privateKey);
    expect(refusal(() => verifier.verify(made, request())).reason).toBe('dpop_proof_key_invalid');
  });

  it('refuses a key on another curve than the algorithm names, even once it is cached', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = await exportJWK(publicKey);
    const good = signRawProof({ alg: 'ES256', typ: 'dpop+jwt', jwk }, claims(), privateKey);
    expect(verifier.verify(good, request()).jti).toBe('a');
    const made = signRawProof({ alg: 'ES384', typ: 'dpop+jwt', jwk }, claims(), privateKey);
    expect(refusal(() => verifier.verify(made, request())).reason).toBe('dpop_proof_key_invalid');
  });

  it('refuses algorithms left out of the allow-list, HS256 and none whatever the list', async () => {
    const only = new DPoPProofVerifier({ algorithms: ['ES256'] });
    const rs = await makeProof(await dpopKey('RS256'), {
      htm: 'GET',
      htu: HTU,
      accessToken: TOKEN,
    });
    expect(refusal(() => only.verify(rs, request())).reason).toBe(
      'dpop_proof_algorithm_not_allowed',
    );
    const [, payload] = (await proof()).split('.');
    for (const alg of ['HS256', 'none']) {
      const header = Buffer.from(
        JSON.stringify({ alg, typ: 'dpop+jwt', jwk: key.publicJwk }),
      ).toString('base64url');
      expect(refusal(() => verifier.verify(`${header}.${payload}.c2ln`, request())).reason).toBe(
        'dpop_proof_algorithm_not_allowed',
      );
    }
  });

  it('refuses HMAC or none in the configured list at startup', () => {
    expect(() => new DPoPProofVerifier({ algorithms: ['HS256' as 'ES256'] })).toThrow(
      OidcAuthConfigError,
    );
    expect(() => new DPoPProofVerifier({ algorithms: ['none' as 'ES256'] })).toThrow(
      OidcAuthConfigError,
    );
    expect(() => new DPoPProofVerifier({ algorithms: [] })).toThrow(OidcAuthConfigError);
  });

  it('refuses any proof when the request URI is unknown', async () => {
    const made = await proof();
    expect(refusal(() => verifier.verify(made, request({ htu: undefined }))).reason).toBe(
      'dpop_proof_htu_mismatch',
    );
  });

  it('keeps the iat window configurable', async () => {
    const wide = new DPoPProofVerifier({ maxAgeSeconds: 600, futureSeconds: 60 });
    const old = await proof({ claims: { iat: now() - 500 } });
    expect(wide.verify(old, request()).thumbprint).toBe(key.thumbprint);
    expect(wide.replayWindowMs).toBe(660_000);
  });

  it('asks for a nonce it issued, and takes the one it issued', async () => {
    const nonces = new DPoPNonces('s'.repeat(32), 60);
    const strict = new DPoPProofVerifier({ nonces });
    const without = await proof();
    let asked: UseDPoPNonceError | undefined;
    try {
      strict.verify(without, request());
    } catch (err) {
      asked = err as UseDPoPNonceError;
    }
    expect(asked).toBeInstanceOf(UseDPoPNonceError);
    expect(asked!.reason).toBe('dpop_nonce_required');
    const withNonce = await proof({ claims: { nonce: asked!.nonce } });
    expect(strict.verify(withNonce, request()).thumbprint).toBe(key.thumbprint);
    const forged = await proof({ claims: { nonce: `${asked!.nonce}x` } });
    expect(() => strict.verify(forged, request())).toThrow(UseDPoPNonceError);
  });

  it('refuses whatever jose (EmbeddedJWK) plus the RFC 9449 checks refuses, and accepts the rest (property)', async () => {
    const keys = [key, await dpopKey('RS256'), await dpopKey('ES384'), await dpopKey('EdDSA')];
    const mutation = fc.record({
      keyIndex: fc.integer({ min: 0, max: keys.length - 1 }),
      typ: fc.constantFrom('dpop+jwt', 'dpop+jwt', 'JWT', 'DPOP+JWT', undefined),
      htm: fc.constantFrom('GET', 'GET', 'POST', 'get'),
      path: fc.constantFrom('/notes', '/notes', '/Notes', '/notes/', '/%6Eotes'),
      iatOffset: fc.integer({ min: -400, max: 20 }),
      ath: fc.constantFrom('right', 'right', 'wrong', 'none'),
      jti: fc.constantFrom('id', '', undefined),
      swapKey: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const signer = keys[m.keyIndex];
        const nowSeconds = now();
        const claims: Record<string, unknown> = {
          htm: m.htm,
          htu: `https://api.example.com${m.path}`,
          iat: nowSeconds + m.iatOffset,
          jti: m.jti,
          ath: m.ath === 'right' ? athOf(TOKEN) : m.ath === 'wrong' ? athOf('x') : undefined,
        };
        const made = await makeProof(signer, {
          htm: m.htm,
          htu: claims.htu as string,
          claims,
          header: {
            typ: m.typ,
            jwk: m.swapKey ? keys[(m.keyIndex + 1) % keys.length].publicJwk : signer.publicJwk,
          },
        });
        const oracle = await oracleAccepts(made, nowSeconds);
        let ours = true;
        try {
          verifier.verify(made, request({ nowMs: nowSeconds * 1000 }));
        } catch (err) {
          if (!(err instanceof InvalidDPoPProofError)) throw err;
          ours = false;
        }
        expect(ours).toBe(oracle);
      }),
      { numRuns: 150 },
    );
  });
});

/** jose verifies the JWS with its embedded key; the RFC 9449 §4.3 checks are written out here. */
async function oracleAccepts(proof: string, nowSeconds: number): Promise<boolean> {
  try {
    const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, {
      typ: 'dpop+jwt',
      currentDate: new Date(nowSeconds * 1000),
    });
    const iat = payload.iat ?? Number.NaN;
    return (
      protectedHeader.typ === 'dpop+jwt' &&
      typeof payload.jti === 'string' &&
      payload.jti !== '' &&
      payload.htm === 'GET' &&
      typeof payload.htu === 'string' &&
      ['https://api.example.com/notes', 'https://api.example.com/%6Eotes'].includes(payload.htu) &&
      iat >= nowSeconds - 300 &&
      iat <= nowSeconds + 5 &&
      payload.ath === accessTokenHashOracle(TOKEN)
    );
  } catch {
    return false;
  }
}

const accessTokenHashOracle = athOf;
const now = () => Math.floor(Date.now() / 1000);

describe('accessTokenHash and boundThumbprint', () => {
  it('hashes the token as RFC 9449 §4.2 says', () => {
    expect(accessTokenHash('Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU')).toBe(
      'fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo',
    );
  });

  it('reads cnf.jkt, and tells an unbound token from a malformed binding', () => {
    expect(boundThumbprint({ cnf: { jkt: 'abc' } })).toBe('abc');
    expect(boundThumbprint({})).toBeUndefined();
    expect(boundThumbprint({ cnf: { 'x5t#S256': 'abc' } })).toBeUndefined();
    expect(boundThumbprint({ cnf: 'abc' })).toBeNull();
    expect(boundThumbprint({ cnf: { jkt: 7 } })).toBeNull();
    expect(boundThumbprint({ cnf: { jkt: '' } })).toBeNull();
  });
});
