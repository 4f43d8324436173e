import { fetchJson, type FetchJsonOptions, IssuerFetchError } from './fetch-json.js';

export interface DiscoveryTarget {
  /** The issuer as it appears in tokens (may hold Entra's `{tenantid}` template). */
  issuer: string;
  /** Where to read the metadata when the API reaches the provider by another address. */
  discoveryUri?: string;
}

export function discoveryUrlOf(target: DiscoveryTarget): string {
  return (
    target.discoveryUri ?? `${target.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`
  );
}

/**
 * Reads the provider's metadata and returns its `jwks_uri` (OpenID Connect Discovery 1.0).
 *
 * The document's `issuer` must equal the configured one (§4.3), otherwise anyone able to answer the
 * discovery request could substitute their own keys. When the metadata is read from an internal
 * address, a `jwks_uri` on the public issuer's origin is rewritten to that internal origin, since the
 * public name is exactly what the API cannot reach in such setups.
 */
export async function discoverJwksUri(
  target: DiscoveryTarget,
  options: FetchJsonOptions,
): Promise<string> {
  const url = discoveryUrlOf(target);
  const metadata = await fetchJson(url, options);
  if (metadata.issuer !== target.issuer) {
    throw new IssuerFetchError(
      url,
      `the metadata names the issuer ${JSON.stringify(metadata.issuer)}, not ${JSON.stringify(target.issuer)}`,
    );
  }
  if (typeof metadata.jwks_uri !== 'string') {
    throw new IssuerFetchError(url, 'the metadata has no jwks_uri');
  }
  let jwksUri: URL;
  try {
    jwksUri = new URL(metadata.jwks_uri);
  } catch {
    throw new IssuerFetchError(url, 'the metadata jwks_uri is not a URL');
  }
  if (target.discoveryUri) {
    const publicOrigin = new URL(target.issuer.replace('{tenantid}', 'x')).origin;
    if (jwksUri.origin === publicOrigin) {
      const internal = new URL(target.discoveryUri);
      jwksUri.protocol = internal.protocol;
      jwksUri.host = internal.host;
    }
  }
  return jwksUri.href;
}
