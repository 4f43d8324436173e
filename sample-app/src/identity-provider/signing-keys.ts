import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The algorithms the embedded provider can sign access tokens with. */
export const SIGNING_ALGORITHMS = ['RS256', 'Ed25519', 'EdDSA'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

export interface PrivateJwks {
  keys: Array<Record<string, unknown> & { kid: string }>;
}

function newKey(alg: SigningAlgorithm): PrivateJwks['keys'][number] {
  const { privateKey } =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ed25519');
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg, use: 'sig' };
}

function save(file: string, jwks: PrivateJwks): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(jwks, null, 2), { mode: 0o600 });
  chmodSync(file, 0o600);
}

/**
 * The provider's signing keys, kept in a file so tokens stay valid across restarts. Created on
 * first start; the first key signs, the others stay published for tokens they signed earlier. A
 * start with another algorithm than the first key's is a rotation to a new key of that algorithm.
 */
export function loadOrCreateSigningKeys(file: string, alg: SigningAlgorithm): PrivateJwks {
  if (existsSync(file)) {
    const jwks = JSON.parse(readFileSync(file, 'utf8')) as PrivateJwks;
    if (Array.isArray(jwks.keys) && jwks.keys.length > 0) {
      return jwks.keys[0].alg === alg ? jwks : rotateSigningKeys(file, jwks, alg);
    }
  }
  const jwks = { keys: [newKey(alg)] };
  save(file, jwks);
  return jwks;
}

/**
 * Puts a new key first (of `alg`, by default the current key's), keeping the previous one
 * published so its tokens stay verifiable.
 */
export function rotateSigningKeys(
  file: string,
  current: PrivateJwks,
  alg = current.keys[0].alg as SigningAlgorithm,
): PrivateJwks {
  const jwks = { keys: [newKey(alg), current.keys[0]] };
  save(file, jwks);
  return jwks;
}
