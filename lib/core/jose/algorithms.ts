/**
 * Signature algorithms a token may use. EdDSA is absent on purpose: the passport-jwt strategy
 * verifies with jsonwebtoken, which does not implement it.
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
] as const;

export const SYMMETRIC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;

export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];
export type SymmetricAlgorithm = (typeof SYMMETRIC_ALGORITHMS)[number];
export type Algorithm = AsymmetricAlgorithm | SymmetricAlgorithm;

const KEY_TYPE: Record<Algorithm, string> = {
  RS256: 'rsa',
  RS384: 'rsa',
  RS512: 'rsa',
  PS256: 'rsa',
  PS384: 'rsa',
  PS512: 'rsa',
  ES256: 'ec',
  ES384: 'ec',
  ES512: 'ec',
  HS256: 'secret',
  HS384: 'secret',
  HS512: 'secret',
};

/** node:crypto's `asymmetricKeyType` an algorithm needs (`secret` for HMAC keys). */
export function keyTypeFor(alg: Algorithm): string {
  return KEY_TYPE[alg];
}

// node:crypto names the curves differently from JWA.
const CURVE: Partial<Record<Algorithm, string>> = {
  ES256: 'prime256v1',
  ES384: 'secp384r1',
  ES512: 'secp521r1',
};

/** node:crypto's `namedCurve` an ECDSA algorithm needs; `undefined` for other algorithms. */
export function curveFor(alg: Algorithm): string | undefined {
  return CURVE[alg];
}

export function isAlgorithm(value: unknown): value is Algorithm {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(KEY_TYPE, value);
}

export function isSymmetric(alg: Algorithm): alg is SymmetricAlgorithm {
  return (SYMMETRIC_ALGORITHMS as readonly string[]).includes(alg);
}
