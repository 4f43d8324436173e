import { InvalidTokenError } from '../../protocol/errors/errors.js';
import type { JwtClaims } from '../claims/claims.js';

/** The `cnf` member of a certificate-bound token (RFC 8705 §3.1). */
export const CERTIFICATE_CONFIRMATION = 'x5t#S256';

/**
 * The `cnf` members (RFC 7800 confirmation methods) some check of this module verifies; each
 * sender-constraint check lists its member here. A token bound by any other method is refused:
 * accepting it as a bearer token would hand it to whoever holds it, which is what its issuer bound
 * it to prevent.
 */
const VERIFIED_CONFIRMATIONS: ReadonlySet<string> = new Set([
  CERTIFICATE_CONFIRMATION,
  // DPoP (RFC 9449 §6.1): checked against the proof by the module's DPoP gate, which refuses a
  // jkt-bound token that comes without one. Standalone callers check it with their proof.
  'jkt',
]);

// A SHA-256 digest, base64url without padding.
const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;

/**
 * Checks a verified token's `cnf` claim against the request: a token without `cnf` (or with an
 * empty one) is a bearer token and passes; a certificate-bound one passes only when `presented()`
 * returns its thumbprint. `presented` is called only for a certificate-bound token: reading the
 * certificate costs, and most tokens are not bound. Throws `InvalidTokenError`.
 */
export function verifyCertificateBinding(
  claims: JwtClaims,
  presented: () => string | undefined,
): void {
  const cnf = claims.cnf;
  if (cnf === undefined) return;
  if (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf)) {
    throw new InvalidTokenError('claim_invalid', 'The cnf claim must be a JSON object');
  }
  for (const method of Object.keys(cnf)) {
    if (!VERIFIED_CONFIRMATIONS.has(method)) {
      const name = /^[\w#.-]{1,32}$/.test(method) ? ` (cnf.${method})` : '';
      throw new InvalidTokenError(
        'unsupported_confirmation',
        `The access token is bound by a confirmation method this API does not verify${name}`,
      );
    }
  }
  const expected = (cnf as Record<string, unknown>)[CERTIFICATE_CONFIRMATION];
  if (expected === undefined) return;
  if (typeof expected !== 'string' || !THUMBPRINT.test(expected)) {
    throw new InvalidTokenError(
      'claim_invalid',
      'cnf.x5t#S256 must be the base64url SHA-256 thumbprint of a certificate',
    );
  }
  const thumbprint = presented();
  if (thumbprint === undefined) {
    throw new InvalidTokenError(
      'certificate_missing',
      'The access token is bound to a client certificate, and the request presented none',
    );
  }
  if (thumbprint !== expected) {
    throw new InvalidTokenError(
      'certificate_mismatch',
      'The client certificate is not the one the access token is bound to',
    );
  }
}
