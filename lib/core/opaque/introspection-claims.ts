import { InvalidTokenError } from '../../protocol/errors/errors.js';
import { type ClaimClock, checkClaims } from '../jwt/claim-rules.js';
import { type JwtClaims, stringClaim } from '../claims/claims.js';
import type { OidcPrincipal } from '../claims/principal.js';
import type { TrustedIssuer } from '../issuers/trusted-issuer.js';

// RFC 7662 §2.2 `token_type` is an RFC 6749 §7.1 access token type (Bearer, DPoP, N_A ...); some
// servers write the RFC 8693 token type identifier or `access_token` instead. Refresh and ID tokens
// are what must never pass as access tokens.
const ACCESS_TOKEN_TYPES = new Set([
  'bearer',
  'dpop',
  'n_a',
  'mac',
  'pop',
  'access_token',
  'urn:ietf:params:oauth:token-type:access_token',
]);

/**
 * The checks a JWT's claims get, over an active introspection answer, and the principal it makes:
 * `iss` (when present) is this issuer, `token_type` (and Ory's `token_use`) an access token, then
 * the same claim rules as a verified JWT (`exp` required and in the future, `nbf`/`iat`, the
 * audience, required claims, the issuer's own rule and claim mapper). A client-credentials answer
 * without `sub` has its `client_id` as subject, as RFC 9068 §2.2 writes such tokens: app-only.
 */
export function checkIntrospectedClaims(
  claims: JwtClaims,
  issuer: TrustedIssuer,
  clock: ClaimClock,
): OidcPrincipal {
  const iss = claims.iss;
  if (iss !== undefined && iss !== issuer.issuer && !issuer.aliases.includes(iss as string)) {
    throw new InvalidTokenError(
      'issuer_mismatch',
      'The introspected token was issued by another issuer',
    );
  }
  const tokenType = claims.token_type;
  if (
    tokenType !== undefined &&
    (typeof tokenType !== 'string' || !ACCESS_TOKEN_TYPES.has(tokenType.toLowerCase()))
  ) {
    throw new InvalidTokenError('typ_mismatch', 'The introspected token is not an access token');
  }
  if (claims.token_use !== undefined && claims.token_use !== 'access_token') {
    throw new InvalidTokenError('typ_mismatch', 'The introspected token is not an access token');
  }
  const clientId = stringClaim(claims, 'client_id');
  const subjectClaims =
    claims.sub === undefined && clientId ? { ...claims, sub: clientId } : claims;
  return checkClaims(subjectClaims, issuer, clock);
}
