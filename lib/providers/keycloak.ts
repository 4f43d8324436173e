import {
  type ClaimMapper,
  type JwtClaims,
  listClaim,
  objectClaim,
  stringClaim,
} from '../core/claims/claims.js';
import { type IssuerOptions } from '../core/issuers/issuer-options.js';
import { keycloakAuthenticationContext } from './authentication-context.js';

/**
 * Keycloak: `scope` string; realm roles in `realm_access.roles` and client roles in
 * `resource_access.<client>.roles`. Client roles are read for `clientId` only, so a role of another
 * client with the same name grants nothing here. Service-account (client-credentials) tokens have a
 * `preferred_username` of `service-account-<client>`.
 */
export function keycloakClaims(
  clientId?: string,
  acrLevels?: Readonly<Record<string, number>>,
): ClaimMapper {
  const authContext = keycloakAuthenticationContext(acrLevels);
  return (claims) => {
    const realm = listClaim(objectClaim(claims.realm_access)?.roles);
    const resource = clientId
      ? listClaim(objectClaim(objectClaim(claims.resource_access)?.[clientId])?.roles)
      : [];
    const azp = stringClaim(claims, 'azp');
    return {
      scopes: listClaim(claims.scope),
      roles: [...realm, ...resource],
      clientId: azp ?? stringClaim(claims, 'client_id'),
      isAppOnly: stringClaim(claims, 'preferred_username')?.startsWith('service-account-') ?? false,
      authContext: authContext(claims),
    };
  };
}

export interface KeycloakOptions {
  /** Base URL of the server, e.g. `https://sso.example.com` (older servers: with `/auth`). */
  url: string;
  /** The realm's name. */
  realm: string;
  /** Accepted audiences (Keycloak puts the client ids of an audience mapper in `aud`). */
  audience: string | readonly string[];
  /** The client whose `resource_access` roles count as roles. */
  clientId?: string;
  /** The realm's ACR-to-LoA mapping (`{ mfa: 2 }`), so `@RequireAuthentication` can name levels. */
  acrLevels?: Readonly<Record<string, number>>;
}

/**
 * Keycloak signs ID, access and refresh tokens with the same realm keys, and an ID token's `aud` is
 * its client, often the API's own in single-client set-ups. Only the payload's `typ` (not the JOSE
 * header's) tells them apart: `Bearer` for access tokens, `ID`, `Refresh` ... for the others.
 */
function requireAccessToken(claims: JwtClaims): string | undefined {
  return claims.typ === 'Bearer'
    ? undefined
    : 'The token must be a Keycloak access token (typ Bearer), not an ID or refresh token';
}

export function keycloak(options: KeycloakOptions): IssuerOptions {
  return {
    issuer: `${options.url.replace(/\/+$/, '')}/realms/${encodeURIComponent(options.realm)}`,
    audience: options.audience,
    claimMapper: keycloakClaims(options.clientId, options.acrLevels),
    validateClaims: requireAccessToken,
  };
}
