import { MAX_BEARER_TOKEN_LENGTH } from '../bearer/bearer-token.js';
import { InvalidDPoPProofError, InvalidRequestError, InvalidTokenError } from '../errors/errors.js';

// RFC 9449 §7.1: token68, as RFC 6750's b64token.
const DPOP = /^DPoP +([A-Za-z0-9\-._~+/]+=*) *$/i;
const DPOP_SCHEME = /^DPoP(?: |$)/i;

/**
 * Whether the one `Authorization` header uses the DPoP scheme. Several headers are left to the
 * bearer extraction, which refuses them.
 */
export function usesDPoPScheme(
  authorization: string | string[] | undefined,
): authorization is string {
  return typeof authorization === 'string' && DPOP_SCHEME.test(authorization);
}

/** The access token of an `Authorization: DPoP <token>` header (RFC 9449 §7.1). */
export function dpopSchemeToken(authorization: string): string {
  if (authorization.length > MAX_BEARER_TOKEN_LENGTH + 64) {
    throw new InvalidTokenError(
      'malformed_token',
      `The access token is longer than ${MAX_BEARER_TOKEN_LENGTH} characters`,
    );
  }
  const match = DPOP.exec(authorization);
  if (match) return match[1];
  throw new InvalidRequestError(
    'The Authorization header must have the form "DPoP <token>" with exactly one token',
  );
}

/**
 * The one `DPoP` header of a request (RFC 9449 §4.3 check 1). Node joins repeated headers with
 * `, `, which no compact JWS contains, so a comma means more than one.
 */
export function dpopProofHeader(value: string | string[] | undefined): string {
  if (value === undefined || value === '') {
    throw new InvalidDPoPProofError('dpop_proof_missing', 'The request has no DPoP proof header');
  }
  if (typeof value !== 'string' || value.includes(',')) {
    throw new InvalidDPoPProofError(
      'dpop_proof_malformed',
      'The request must have exactly one DPoP proof header',
    );
  }
  return value.trim();
}
