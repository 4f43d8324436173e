import { type AuthenticationContext, type JwtClaims, listClaim, stringClaim } from './claims.js';

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
