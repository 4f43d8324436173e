import { standardAuthenticationContext } from '../core/claims/authentication-context.js';
import {
  type AuthenticationContext,
  type JwtClaims,
  listClaim,
  stringClaim,
} from '../core/claims/claims.js';
import { OidcAuthConfigError } from '../core/config/config-error.js';

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
 * ACR-to-LoA mapping on the client, the name the client asked for. Levels are ordered, but only a
 * mapping says which lower levels exist: `levels` names them as the realm's mapping does
 * (`{ pwd: 1, mfa: 2 }`), and a token then satisfies every named level at or below its own, by name
 * and by number. Without it a token satisfies just its own `acr`.
 */
export function keycloakAuthenticationContext(
  levels: Readonly<Record<string, number>> = {},
): (claims: JwtClaims) => AuthenticationContext {
  for (const [name, level] of Object.entries(levels)) {
    if (!Number.isInteger(level) || level < 0) {
      throw new OidcAuthConfigError(
        'keycloak.acrLevels',
        `must map names to whole numbers >= 0, got ${JSON.stringify(name)}: ${JSON.stringify(level)}`,
      );
    }
  }
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
