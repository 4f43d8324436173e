import {
  type AuthenticationContext,
  standardAuthenticationContext,
} from '../verification/authentication-context.js';
import { type JwtClaims, listClaim, stringClaim } from '../verification/claims.js';

/**
 * Microsoft Entra ID: the conditional-access authentication contexts the user satisfied are the
 * ids in `acrs` (`c1` ... `c99`), which is what Entra's claims challenges ask for. A v1 token's
 * `acr` (`"0"`, `"1"`) only says whether the user signed in at all, so it is not a context.
 */
export function entraAuthenticationContext(claims: JwtClaims): AuthenticationContext {
  return { ...standardAuthenticationContext(claims), acr: listClaim(claims.acrs) };
}

/**
 * Keycloak: `acr` is a level of assurance, `"0"` (remembered session) `"1"`, `"2"` ... or, with an
 * ACR-to-LoA mapping on the client, the name the client asked for. Levels are ordered: a token of
 * level 2 also satisfies level 1. `levels` names them as the realm's mapping does (`{ mfa: 2 }`),
 * and a token then satisfies every named level at or below its own, by name and by number.
 */
export function keycloakAuthenticationContext(
  levels: Readonly<Record<string, number>> = {},
): (claims: JwtClaims) => AuthenticationContext {
  return (claims) => {
    const standard = standardAuthenticationContext(claims);
    const acr = stringClaim(claims, 'acr');
    if (acr === undefined) return standard;
    const level = /^\d+$/.test(acr)
      ? Number(acr)
      : Object.hasOwn(levels, acr)
        ? levels[acr]
        : undefined;
    if (level === undefined) return standard;
    const satisfied = new Set([acr, String(level)]);
    for (const [name, named] of Object.entries(levels)) {
      if (named <= level) satisfied.add(name).add(String(named));
    }
    return { ...standard, acr: [...satisfied] };
  };
}
