import type { KeyObject } from 'node:crypto';

/**
 * Signature algorithms a token may use. `Ed25519` and `Ed448` are RFC 9864's fully-specified
 * names; `EdDSA` (RFC 8037) is the polymorphic name it deprecates, still what most providers
 * send, and means either curve, the key's.
 */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'Ed25519',
  'Ed448',
  'EdDSA',
] as const;

export const SYMMETRIC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;

export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];
export type SymmetricAlgorithm = (typeof SYMMETRIC_ALGORITHMS)[number];
export type Algorithm = AsymmetricAlgorithm | SymmetricAlgorithm;

/** How a signature of the algorithm is made and checked. */
export type AlgorithmFamily = 'rsa-pkcs1' | 'rsa-pss' | 'ecdsa' | 'eddsa' | 'hmac';

interface AlgorithmSpec {
  family: AlgorithmFamily;
  /** node:crypto's digest; `null` for EdDSA, which hashes inside the signature scheme. */
  hash: string | null;
  /** node:crypto's `asymmetricKeyType`s that fit (`secret` for HMAC keys). */
  keyTypes: readonly string[];
  /** node:crypto's `namedCurve` (it names the curves differently from JWA), for ECDSA. */
  curve?: string;
}

const SPECS: Record<Algorithm, AlgorithmSpec> = {
  RS256: { family: 'rsa-pkcs1', hash: 'sha256', keyTypes: ['rsa'] },
  RS384: { family: 'rsa-pkcs1', hash: 'sha384', keyTypes: ['rsa'] },
  RS512: { family: 'rsa-pkcs1', hash: 'sha512', keyTypes: ['rsa'] },
  PS256: { family: 'rsa-pss', hash: 'sha256', keyTypes: ['rsa'] },
  PS384: { family: 'rsa-pss', hash: 'sha384', keyTypes: ['rsa'] },
  PS512: { family: 'rsa-pss', hash: 'sha512', keyTypes: ['rsa'] },
  ES256: { family: 'ecdsa', hash: 'sha256', keyTypes: ['ec'], curve: 'prime256v1' },
  ES384: { family: 'ecdsa', hash: 'sha384', keyTypes: ['ec'], curve: 'secp384r1' },
  ES512: { family: 'ecdsa', hash: 'sha512', keyTypes: ['ec'], curve: 'secp521r1' },
  Ed25519: { family: 'eddsa', hash: null, keyTypes: ['ed25519'] },
  Ed448: { family: 'eddsa', hash: null, keyTypes: ['ed448'] },
  EdDSA: { family: 'eddsa', hash: null, keyTypes: ['ed25519', 'ed448'] },
  HS256: { family: 'hmac', hash: 'sha256', keyTypes: ['secret'] },
  HS384: { family: 'hmac', hash: 'sha384', keyTypes: ['secret'] },
  HS512: { family: 'hmac', hash: 'sha512', keyTypes: ['secret'] },
};

export function familyOf(alg: Algorithm): AlgorithmFamily {
  return SPECS[alg].family;
}

/** node:crypto's digest name for the algorithm; `null` for EdDSA (`crypto.verify(null, ...)`). */
export function hashOf(alg: Algorithm): string | null {
  return SPECS[alg].hash;
}

/** Whether a key of node:crypto's `asymmetricKeyType` (`secret` for HMAC) fits the algorithm. */
export function fitsKeyType(alg: Algorithm, keyType: string | undefined): boolean {
  return keyType !== undefined && SPECS[alg].keyTypes.includes(keyType);
}

/** node:crypto's `namedCurve` an ECDSA algorithm needs; `undefined` for other algorithms. */
export function curveFor(alg: Algorithm): string | undefined {
  return SPECS[alg].curve;
}

/** Whether a node:crypto key fits the algorithm by type and, for ECDSA, curve. */
export function keyFits(
  alg: Algorithm,
  key: Pick<KeyObject, 'asymmetricKeyType' | 'asymmetricKeyDetails'>,
): boolean {
  const curve = SPECS[alg].curve;
  return (
    fitsKeyType(alg, key.asymmetricKeyType) &&
    (curve === undefined || key.asymmetricKeyDetails?.namedCurve === curve)
  );
}

export function isAlgorithm(value: unknown): value is Algorithm {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(SPECS, value);
}

export function isSymmetric(alg: Algorithm): alg is SymmetricAlgorithm {
  return SPECS[alg].family === 'hmac';
}
