import { createHash } from 'node:crypto';

// RFC 7638 §3.2: the required members of each key type, in lexicographic order.
const REQUIRED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  EC: ['crv', 'kty', 'x', 'y'],
  RSA: ['e', 'kty', 'n'],
  OKP: ['crv', 'kty', 'x'],
};

/**
 * The RFC 7638 SHA-256 thumbprint of a public JWK, base64url: what a DPoP-bound token's `cnf.jkt`
 * holds (RFC 9449 §6.1). `undefined` for a key type without required members defined here, or a
 * required member that is not a string.
 */
export function jwkThumbprint(jwk: Readonly<Record<string, unknown>>): string | undefined {
  const input = thumbprintInput(jwk);
  return input && createHash('sha256').update(input).digest('base64url');
}

/**
 * The JSON text RFC 7638 §3 hashes: the required members only, ordered, without whitespace. Two
 * JWKs have the same text exactly when they are the same key, which makes it a cache key too.
 */
export function thumbprintInput(jwk: Readonly<Record<string, unknown>>): string | undefined {
  const members = typeof jwk.kty === 'string' ? REQUIRED_MEMBERS[jwk.kty] : undefined;
  if (!members) return undefined;
  // Built by hand: the members are strings already checked, and JSON.stringify of a string escapes
  // exactly as RFC 7638 §3.3 requires (no whitespace, ordered members).
  let json = '{';
  for (const name of members) {
    const value = jwk[name];
    if (typeof value !== 'string') return undefined;
    json += `${json.length > 1 ? ',' : ''}"${name}":${JSON.stringify(value)}`;
  }
  return `${json}}`;
}
