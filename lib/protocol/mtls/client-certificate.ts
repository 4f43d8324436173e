import { createHash, X509Certificate } from 'node:crypto';
import { InvalidRequestError } from '../errors/errors.js';

/**
 * What a call's client certificate is read from: the HTTP request (Express or Fastify) or the
 * WebSocket upgrade request.
 */
export interface CertificateCarrier {
  headers?: Record<string, string | string[] | undefined>;
  socket?: unknown;
}

/**
 * The longest certificate header accepted, in characters. A URL-encoded PEM certificate with an
 * RSA-4096 key and a long chain of extensions stays well below; Node's own header limit (16 KiB
 * for all headers) usually stops larger ones first, but servers can raise that.
 */
export const MAX_CERTIFICATE_HEADER_LENGTH = 16 * 1024;

const BEGIN = '-----BEGIN CERTIFICATE-----';
const END = '-----END CERTIFICATE-----';
// Exactly one PEM block; line breaks (and the spaces some proxies fold them into) are allowed
// anywhere in the base64 body, nothing else is.
const ONE_PEM_BLOCK = /^-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----$/;

/** RFC 8705 §3.1: the base64url SHA-256 of the certificate's DER encoding, as in `cnf["x5t#S256"]`. */
export function certificateThumbprint(certificate: string | Uint8Array | X509Certificate): string {
  const der =
    certificate instanceof X509Certificate
      ? certificate.raw
      : new X509Certificate(
          typeof certificate === 'string' ? certificate : Buffer.from(certificate),
        ).raw;
  return createHash('sha256').update(der).digest('base64url');
}

/**
 * The thumbprint of the certificate the peer of a TLS socket presented, or `undefined` when the
 * socket is not TLS or the client sent none. Whether a CA vouches for the certificate does not
 * matter here: the TLS handshake proved the client holds its key, and the token names the
 * certificate itself (RFC 8705 §2.2 binds tokens to self-signed certificates as well).
 */
export function peerCertificateThumbprint(socket: unknown): string | undefined {
  const tls = socket as { getPeerCertificate?: () => { raw?: Buffer } | null } | undefined;
  if (typeof tls?.getPeerCertificate !== 'function') return undefined;
  const raw = tls.getPeerCertificate()?.raw;
  return raw?.length ? createHash('sha256').update(raw).digest('base64url') : undefined;
}

/**
 * The thumbprint of the certificate a TLS-terminating proxy forwarded in a header, in the form
 * nginx (`$ssl_client_escaped_cert`) and Envoy (`%DOWNSTREAM_PEER_CERT%`) write it: the client's
 * PEM certificate, URL-encoded. `undefined` when the header is absent or empty (the client sent no
 * certificate). Anything else, including the header repeated or several certificates (a chain),
 * is `InvalidRequestError`.
 */
export function headerCertificateThumbprint(
  value: string | readonly string[] | undefined,
): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') {
    throw new InvalidRequestError(
      'The request carries the client certificate header more than once',
    );
  }
  if (value.length > MAX_CERTIFICATE_HEADER_LENGTH) {
    throw new InvalidRequestError(
      `The client certificate header is longer than ${MAX_CERTIFICATE_HEADER_LENGTH} characters`,
    );
  }
  let pem: string;
  try {
    pem = decodeURIComponent(value).trim();
  } catch {
    throw new InvalidRequestError('The client certificate header is not URL-encoded');
  }
  const block = ONE_PEM_BLOCK.exec(pem);
  if (!block) {
    const blocks = pem.split(BEGIN).length - 1;
    throw new InvalidRequestError(
      blocks > 1 || pem.split(END).length > 2
        ? `The client certificate header carries ${Math.max(blocks, 2)} certificates; exactly one is expected`
        : 'The client certificate header is not a URL-encoded PEM certificate',
    );
  }
  const der = Buffer.from(block[1].replace(/\s+/g, ''), 'base64');
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(der);
  } catch {
    throw new InvalidRequestError(
      'The client certificate header does not hold an X.509 certificate',
    );
  }
  // X509Certificate reads the first certificate of its input; anything after it is not a certificate.
  if (!certificate.raw.equals(der)) {
    throw new InvalidRequestError(
      'The client certificate header does not hold an X.509 certificate',
    );
  }
  return createHash('sha256').update(der).digest('base64url');
}
