import { createHash, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import fc from 'fast-check';
import {
  calculateJwkThumbprint,
  decodeProtectedHeader,
  EmbeddedJWK,
  jwtVerify,
  type JWK,
} from 'jose';
import { type DpopAlgorithm, DpopKey, dpopTargetUri } from '../../../lib/client/dpop-key.js';

const ALGORITHMS: DpopAlgorithm[] = [
  'ES256',
  'ES384',
  'ES512',
  'PS256',
  'PS384',
  'PS512',
  'RS256',
  'RS384',
  'RS512',
  'EdDSA',
  'Ed25519',
];

/** Verifies a proof the way a resource server would, with jose as the independent oracle. */
async function verifyProof(proof: string, algorithm: DpopAlgorithm) {
  const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, {
    typ: 'dpop+jwt',
    algorithms: [algorithm],
  });
  return { payload, header: protectedHeader };
}

describe('DpopKey', () => {
  const keys = new Map<DpopAlgorithm, DpopKey>();

  beforeAll(async () => {
    for (const algorithm of ALGORITHMS) keys.set(algorithm, await DpopKey.generate(algorithm));
  });

  it.each(ALGORITHMS)(
    'makes %s proofs that jose verifies with the embedded public key',
    async (algorithm) => {
      const key = keys.get(algorithm)!;
      const proof = key.proof({ method: 'POST', url: 'https://api.example/notes?page=2#top' });
      const { payload, header } = await verifyProof(proof, algorithm);
      expect(header).toEqual({ typ: 'dpop+jwt', alg: algorithm, jwk: key.publicJwk });
      expect(payload.htm).toBe('POST');
      expect(payload.htu).toBe('https://api.example/notes');
      expect(Math.abs((payload.iat as number) - Date.now() / 1000)).toBeLessThan(5);
      expect(payload).not.toHaveProperty('ath');
      expect(payload).not.toHaveProperty('nonce');
      expect(key.thumbprint).toBe(await calculateJwkThumbprint(key.publicJwk as JWK, 'sha256'));
    },
  );

  it('puts no private member in the header jwk', () => {
    for (const key of keys.values()) {
      const { jwk } = decodeProtectedHeader(
        key.proof({ method: 'GET', url: 'https://a.example/' }),
      );
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']) {
        expect(jwk).not.toHaveProperty(member);
      }
    }
  });

  it('binds the access token (ath) and the server nonce when given', async () => {
    const key = keys.get('ES256')!;
    const proof = key.proof({
      method: 'GET',
      url: 'https://api.example/notes',
      accessToken: 'eyJ.token.value',
      nonce: 'server-nonce-1',
    });
    const { payload } = await verifyProof(proof, 'ES256');
    expect(payload.ath).toBe(createHash('sha256').update('eyJ.token.value').digest('base64url'));
    expect(payload.nonce).toBe('server-nonce-1');
  });

  it('gives every proof a new jti, even for the same request', async () => {
    const key = keys.get('ES256')!;
    const jtis = new Set<unknown>();
    for (let i = 0; i < 200; i++) {
      const { payload } = await verifyProof(
        key.proof({ method: 'GET', url: 'https://api.example/x' }),
        'ES256',
      );
      jtis.add(payload.jti);
    }
    expect(jtis.size).toBe(200);
  });

  it('holds for any method, URL, token and nonce: jose verifies it and reads back what was asked', async () => {
    const key = keys.get('ES256')!;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'patch', 'QUERY'),
        fc.webUrl({ withQueryParameters: true, withFragments: true }),
        fc.option(fc.stringMatching(/^[A-Za-z0-9._~+/-]{1,200}=*$/), { nil: undefined }),
        fc.option(fc.string({ minLength: 1, maxLength: 64 }), { nil: undefined }),
        async (method, url, accessToken, nonce) => {
          const { payload } = await verifyProof(
            key.proof({ method, url, accessToken, nonce }),
            'ES256',
          );
          const expectedHtu = new URL(url);
          expectedHtu.search = '';
          expectedHtu.hash = '';
          expect(payload.htm).toBe(method);
          expect(payload.htu).toBe(expectedHtu.href);
          expect(payload.htu).not.toMatch(/[?#]/);
          expect(payload.ath).toBe(
            accessToken === undefined
              ? undefined
              : createHash('sha256').update(accessToken).digest('base64url'),
          );
          expect(payload.nonce).toBe(nonce);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('uses a key the application brings, and refuses one that cannot sign with the algorithm', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const key = DpopKey.fromPrivateKey(privateKey, 'ES384');
    await verifyProof(key.proof({ method: 'GET', url: 'https://a.example/' }), 'ES384');
    expect(key.publicJwk).toEqual(publicKey.export({ format: 'jwk' }));
    expect(() => DpopKey.fromPrivateKey(privateKey, 'ES256')).toThrow(/P-256/);
    expect(() => DpopKey.fromPrivateKey(publicKey, 'ES384')).toThrow(/private key/);
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    expect(() => DpopKey.fromPrivateKey(small, 'PS256')).toThrow(/2048/);
    expect(() => DpopKey.fromPrivateKey(privateKey, 'RS256')).toThrow(/RSA/);
  });

  it('signs with Ed448 keys: RFC 9864 Ed448, or EdDSA, never Ed25519', async () => {
    const generated = await DpopKey.generate('Ed448');
    expect(generated.publicJwk).toMatchObject({ kty: 'OKP', crv: 'Ed448' });
    const { privateKey } = generateKeyPairSync('ed448');
    const brought = DpopKey.fromPrivateKey(privateKey, 'EdDSA');
    // jose 5 does not know the name Ed448; node:crypto checks the signature over the exact input.
    for (const key of [generated, brought]) {
      const proof = key.proof({ method: 'GET', url: 'https://a.example/' });
      const [header, payload, signature] = proof.split('.');
      expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toMatchObject({
        alg: key.algorithm,
        jwk: key.publicJwk,
      });
      const publicKey = createPublicKey({ key: key.publicJwk, format: 'jwk' });
      const input = Buffer.from(`${header}.${payload}`);
      expect(verify(null, input, publicKey, Buffer.from(signature, 'base64url'))).toBe(true);
      expect(key.thumbprint).toBe(await calculateJwkThumbprint(key.publicJwk as JWK, 'sha256'));
    }
    expect(() => DpopKey.fromPrivateKey(privateKey, 'Ed25519')).toThrow(
      'Ed25519 needs an Ed25519 key',
    );
    expect(() => DpopKey.fromPrivateKey(privateKey, 'ES256')).toThrow(/P-256/);
  });
});

describe('dpopTargetUri', () => {
  it('leaves out query, fragment and userinfo, and normalises scheme, host and default port', () => {
    expect(dpopTargetUri('HTTPS://User:pw@API.Example:443/a/../b?q=1#f')).toBe(
      'https://api.example/b',
    );
  });
});
