import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface PrivateJwks {
  keys: Array<Record<string, unknown> & { kid: string }>;
}

function newKey(): PrivateJwks['keys'][number] {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
}

function save(file: string, jwks: PrivateJwks): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(jwks, null, 2), { mode: 0o600 });
  chmodSync(file, 0o600);
}

/**
 * The provider's signing keys, kept in a file so tokens stay valid across restarts. Created on
 * first start; the first key signs, the others stay published for tokens they signed earlier.
 */
export function loadOrCreateSigningKeys(file: string): PrivateJwks {
  if (existsSync(file)) {
    const jwks = JSON.parse(readFileSync(file, 'utf8')) as PrivateJwks;
    if (Array.isArray(jwks.keys) && jwks.keys.length > 0) return jwks;
  }
  const jwks = { keys: [newKey()] };
  save(file, jwks);
  return jwks;
}

/** Puts a new key first, keeping the previous one published so its tokens stay verifiable. */
export function rotateSigningKeys(file: string, current: PrivateJwks): PrivateJwks {
  const jwks = { keys: [newKey(), current.keys[0]] };
  save(file, jwks);
  return jwks;
}
