import { type ClaimMapper, listClaim, stringClaim } from '../core/claims/claims.js';
import { type IssuerOptions } from '../core/issuers/issuer-options.js';

/**
 * Auth0: `scope` string; with RBAC the granted API permissions are also in `permissions`, so both
 * count as scopes. Roles only exist in a custom, namespaced claim the tenant's Action adds.
 * The default token profile names the client in `azp` and marks machine-to-machine tokens with
 * `gty: client-credentials`; the RFC 9068 profile has `client_id` and no `gty`. In both, a
 * machine-to-machine token's subject is `<client id>@clients`.
 */
export function auth0Claims(rolesClaim?: string): ClaimMapper {
  return (claims) => {
    const clientId = stringClaim(claims, 'azp') ?? stringClaim(claims, 'client_id');
    return {
      scopes: [...listClaim(claims.scope), ...listClaim(claims.permissions)],
      roles: rolesClaim ? listClaim(claims[rolesClaim]) : [],
      clientId,
      isAppOnly:
        claims.gty === 'client-credentials' ||
        (clientId !== undefined && claims.sub === `${clientId}@clients`),
    };
  };
}

export interface Auth0Options {
  /** Tenant domain, e.g. `example.eu.auth0.com` or a custom domain. */
  domain: string;
  /** The API identifier configured in Auth0. */
  audience: string | readonly string[];
  /** Namespaced claim holding roles, e.g. `https://example.com/roles`. */
  rolesClaim?: string;
}

export function auth0(options: Auth0Options): IssuerOptions {
  const domain = options.domain.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  return {
    issuer: `https://${domain}/`,
    audience: options.audience,
    claimMapper: auth0Claims(options.rolesClaim),
  };
}
