import { fetchJson, type FetchJsonOptions, IssuerFetchError } from '../http/fetch-json.js';

/** RFC 8935 push delivery, as SSF names it in `delivery_methods_supported` and a stream's `delivery`. */
export const PUSH_DELIVERY = 'urn:ietf:rfc:8935';
/** RFC 8936 poll delivery. */
export const POLL_DELIVERY = 'urn:ietf:rfc:8936';

/** What a transmitter's `/.well-known/ssf-configuration` (SSF 1.0 §7.1) says, checked. */
export interface TransmitterMetadata {
  issuer: string;
  jwksUri: string;
  /** The delivery method URNs it offers: `PUSH_DELIVERY`, `POLL_DELIVERY` ... */
  deliveryMethods: readonly string[];
  /** Where streams are created, read and updated (§8.1.1); absent when it has no stream management. */
  configurationEndpoint?: string;
  statusEndpoint?: string;
  verificationEndpoint?: string;
}

/**
 * SSF 1.0 §7.2: `/.well-known/ssf-configuration` goes between the issuer's host and its path, as
 * RFC 8414 does for authorization servers (`https://t.example/tenant` →
 * `https://t.example/.well-known/ssf-configuration/tenant`).
 */
export function ssfConfigurationUrlOf(issuer: string): string {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.origin}/.well-known/ssf-configuration${path}`;
}

/**
 * The document checked: its `issuer` must be the configured one exactly (otherwise whoever answers
 * the request could name their own keys), `jwks_uri` is required (a SET that cannot be verified is
 * worthless to a receiver), and every endpoint is an absolute URL, `https` unless the issuer itself
 * is plain `http` (a developer's machine).
 */
export function transmitterMetadataOf(
  doc: Record<string, unknown>,
  issuer: string,
  url = ssfConfigurationUrlOf(issuer),
): TransmitterMetadata {
  if (doc.issuer !== issuer) {
    throw new IssuerFetchError(
      url,
      `the SSF configuration names the issuer ${JSON.stringify(doc.issuer)}, not ${JSON.stringify(issuer)}`,
    );
  }
  const plainHttp = new URL(issuer).protocol === 'http:';
  const endpoint = (name: string): string | undefined => {
    const value = doc[name];
    if (value === undefined) return undefined;
    let parsed: URL | undefined;
    try {
      parsed = typeof value === 'string' ? new URL(value) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!parsed || !(parsed.protocol === 'https:' || (plainHttp && parsed.protocol === 'http:'))) {
      throw new IssuerFetchError(url, `the SSF configuration ${name} is not an https URL`);
    }
    return parsed.href;
  };
  const jwksUri = endpoint('jwks_uri');
  if (!jwksUri) throw new IssuerFetchError(url, 'the SSF configuration has no jwks_uri');
  const methods = doc.delivery_methods_supported;
  if (
    methods !== undefined &&
    (!Array.isArray(methods) || methods.some((m) => typeof m !== 'string'))
  ) {
    throw new IssuerFetchError(
      url,
      'the SSF configuration delivery_methods_supported is not a list of strings',
    );
  }
  return {
    issuer,
    jwksUri,
    deliveryMethods: (methods as string[] | undefined) ?? [],
    configurationEndpoint: endpoint('configuration_endpoint'),
    statusEndpoint: endpoint('status_endpoint'),
    verificationEndpoint: endpoint('verification_endpoint'),
  };
}

/** Reads and checks the transmitter's SSF configuration: bounded in time and size, no redirects. */
export async function fetchTransmitterMetadata(
  issuer: string,
  options: FetchJsonOptions,
): Promise<TransmitterMetadata> {
  const url = ssfConfigurationUrlOf(issuer);
  return transmitterMetadataOf(await fetchJson(url, options), issuer, url);
}
