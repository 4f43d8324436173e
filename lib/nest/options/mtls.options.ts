import {
  type CertificateCarrier,
  headerCertificateThumbprint,
  peerCertificateThumbprint,
} from '../../protocol/mtls/client-certificate.js';
import { OidcAuthConfigError } from '../../core/config/config-error.js';

/** Where the client certificate of certificate-bound tokens (RFC 8705 §3) comes from. */
export interface MtlsOptions {
  /**
   * Read the client certificate from this request header, as a TLS-terminating proxy in front of
   * the API forwards it (URL-encoded PEM: nginx `$ssl_client_escaped_cert`), instead of from the
   * TLS connection. Only for an API that no client can reach except through that proxy, and with
   * the proxy overwriting the header on every request: otherwise a client sends it itself.
   * Default: the certificate of the TLS connection (`https` with `requestCert: true`).
   */
  certificateHeader?: string;
}

/** The thumbprint of the call's client certificate, or `undefined` when it presented none. */
export type CertificateReader = (carrier: CertificateCarrier | undefined) => string | undefined;

// RFC 9110 §5.1 field names.
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Headers a client controls in every set-up, or that carry something else entirely.
const NEVER = new Set(['authorization', 'cookie', 'host', 'dpop', 'forwarded']);

/**
 * The reader `options` configure: the TLS connection's certificate, or, with `certificateHeader`,
 * that header's and nothing else (the connection is then the proxy's).
 */
export function certificateReader(options: MtlsOptions | undefined): CertificateReader {
  const header = options?.certificateHeader;
  if (header === undefined) return (carrier) => peerCertificateThumbprint(carrier?.socket);
  if (typeof header !== 'string' || !FIELD_NAME.test(header) || NEVER.has(header.toLowerCase())) {
    throw new OidcAuthConfigError(
      'mtls.certificateHeader',
      'must be the name of the header the TLS-terminating proxy sets, e.g. x-client-cert',
    );
  }
  // Node and Fastify give header names in lower case.
  const name = header.toLowerCase();
  return (carrier) => headerCertificateThumbprint(carrier?.headers?.[name]);
}
