import { createPublicKey } from 'node:crypto';
import { JwksClient } from 'jwks-rsa';
import { discoverJwksUri, type DiscoveryTarget } from '../../protocol/http/discovery.js';
import { fetchJson, type FetchJsonOptions } from '../../protocol/http/fetch-json.js';
import { type KeyLoader, type VerificationKey } from './key-set.js';

export type JwksSource =
  | { kind: 'discovery'; target: DiscoveryTarget }
  | { kind: 'uri'; jwksUri: string }
  | { kind: 'static'; jwks: { keys: readonly object[] } };

/**
 * Whether a JWK may verify signatures by its own say (panva/jose's rule): `use`, when stated, is
 * `sig`, and `key_ops`, when listed, include `verify`. jwks-rsa checks `use` but not `key_ops`, and
 * keeps neither, so keys are sorted out here, before it imports them; `KeySet` matches the rest of
 * the rule (kid, type, curve, alg) against each token.
 */
function mayVerify(jwk: unknown): boolean {
  if (typeof jwk !== 'object' || jwk === null) return false;
  const { use, key_ops: keyOps } = jwk as { use?: unknown; key_ops?: unknown };
  if (use !== undefined && use !== 'sig') return false;
  return !Array.isArray(keyOps) || keyOps.includes('verify');
}

/**
 * Loads an issuer's public keys with jwks-rsa (which filters `use` and `kty` and imports each JWK),
 * reading the documents through our bounded fetch. jwks-rsa's own caching and rate limiting are off:
 * `KeySet` does both, in a way a flood of unknown `kid`s cannot exhaust.
 */
export function jwksLoader(source: JwksSource, fetchOptions: FetchJsonOptions): KeyLoader {
  let discovered: string | undefined;
  const fetcher = async (): Promise<{ keys: unknown }> => {
    if (source.kind === 'static') return { keys: source.jwks.keys.filter(mayVerify) };
    const jwksUri =
      source.kind === 'uri'
        ? source.jwksUri
        : (discovered ??= await discoverJwksUri(source.target, fetchOptions));
    const doc = await fetchJson(jwksUri, fetchOptions);
    if (!Array.isArray(doc.keys)) throw new Error(`${jwksUri} is not a JWK set (no "keys" array)`);
    return { keys: doc.keys.filter(mayVerify) };
  };
  const client = new JwksClient({ cache: false, rateLimit: false, fetcher });
  return async (): Promise<VerificationKey[]> => {
    const signingKeys = await client.getSigningKeys();
    return signingKeys.map((sk) => ({
      kid: sk.kid,
      alg: sk.alg,
      key: createPublicKey(sk.getPublicKey()),
    }));
  };
}
