import { fetchJson, type FetchJsonOptions, IssuerFetchError } from './fetch-json.js';

export interface DiscoveryTarget {
  /** The issuer exactly as the provider's metadata names it (a multi-tenant template included). */
  issuer: string;
  /** Where to read the metadata when the API reaches the provider by another address. */
  discoveryUri?: string;
}

export function discoveryUrlOf(target: DiscoveryTarget): string {
  return (
    target.discoveryUri ?? `${target.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`
  );
}

/** Reads the provider's metadata and returns its `jwks_uri`; see `discoverEndpoint`. */
export function discoverJwksUri(
  target: DiscoveryTarget,
  options: FetchJsonOptions,
): Promise<string> {
  return discoverEndpoint(target, 'jwks_uri', options);
}

/**
 * Reads the provider's metadata (OpenID Connect Discovery 1.0) and returns one of its endpoints.
 *
 * The document's `issuer` must equal the configured one (§4.3), otherwise anyone able to answer the
 * discovery request could substitute their own keys. When the metadata is read from an internal
 * address, an endpoint on the public issuer's origin is rewritten to that internal origin, since the
 * public name is exactly what the API cannot reach in such setups.
 */
export async function discoverEndpoint(
  target: DiscoveryTarget,
  name: 'jwks_uri' | 'token_endpoint' | 'introspection_endpoint',
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
  const value = metadata[name];
  if (typeof value !== 'string') {
    throw new IssuerFetchError(url, `the metadata has no ${name}`);
  }
  let endpoint: URL;
  try {
    endpoint = new URL(value);
  } catch {
    throw new IssuerFetchError(url, `the metadata ${name} is not a URL`);
  }
  if (target.discoveryUri) {
    const publicOrigin = URL.canParse(target.issuer) ? new URL(target.issuer).origin : undefined;
    if (endpoint.origin === publicOrigin) {
      const internal = new URL(target.discoveryUri);
      endpoint.protocol = internal.protocol;
      endpoint.host = internal.host;
    }
  }
  return endpoint.href;
}
