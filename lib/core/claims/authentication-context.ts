import { type JwtClaims, listClaim, stringClaim } from './claims.js';

/**
 * How and when the user authenticated (OIDC Core §2, RFC 9470), in one shape for every provider:
 * what step-up requirements are checked against.
 */
export interface AuthenticationContext {
  /** Authentication context class references the token satisfies; any one meets an `acr` requirement. */
  acr: readonly string[];
  /** Authentication methods (RFC 8176): `pwd`, `otp`, `mfa` ... */
  amr: readonly string[];
  /** When the user authenticated, in seconds since the epoch (`auth_time`). */
  authTime?: number;
}

/** `auth_time` as the core's claim rules admitted it: a finite number in range, or absent. */
function authTimeOf(claims: JwtClaims): number | undefined {
  const value = claims.auth_time;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * The standard claims read as they are: `acr` one string, `amr` a list, `auth_time` a NumericDate.
 * The context of every mapper that supplies none, Auth0's included (its `acr` is the requested
 * policy URI, `amr` holds `mfa` after a second factor).
 */
export function standardAuthenticationContext(claims: JwtClaims): AuthenticationContext {
  const acr = stringClaim(claims, 'acr');
  return {
    acr: acr === undefined ? [] : [acr],
    amr: listClaim(claims.amr),
    authTime: authTimeOf(claims),
  };
}
