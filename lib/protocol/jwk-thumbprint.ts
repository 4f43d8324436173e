import { createHash } from 'node:crypto';

// RFC 7638 §3.2: only the required members of each key type, in lexicographic order.
const REQUIRED_MEMBERS: Record<string, readonly string[]> = {
  EC: ['crv', 'kty', 'x', 'y'],
  RSA: ['e', 'kty', 'n'],
  OKP: ['crv', 'kty', 'x'],
};

/**
 * The RFC 7638 SHA-256 thumbprint of a public JWK, base64url: what a DPoP-bound token's
 * `cnf.jkt` holds (RFC 9449 §6.1). Throws a TypeError for a key type or member it cannot hash.
 */
export function jwkThumbprint(jwk: Readonly<Record<string, unknown>>): string {
  const members = REQUIRED_MEMBERS[String(jwk.kty)];
  if (!members) throw new TypeError(`no thumbprint for a JWK of kty ${JSON.stringify(jwk.kty)}`);
  const canonical: Record<string, string> = {};
  for (const member of members) {
    const value = jwk[member];
    if (typeof value !== 'string') throw new TypeError(`the JWK has no string member "${member}"`);
    canonical[member] = value;
  }
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url');
}
