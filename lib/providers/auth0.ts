import { type ClaimMapper, listClaim, stringClaim } from '../verification/claims.js';
import { type IssuerOptions } from '../verification/issuer-options.js';

/**
 * Auth0: `scope` string; with RBAC the granted API permissions are also in `permissions`, so both
 * count as scopes. Roles only exist in a custom, namespaced claim the tenant's Action adds.
 * Machine-to-machine tokens carry `gty: client-credentials`.
 */
export function auth0Claims(rolesClaim?: string): ClaimMapper {
  return (claims) => ({
    scopes: [...listClaim(claims.scope), ...listClaim(claims.permissions)],
    roles: rolesClaim ? listClaim(claims[rolesClaim]) : [],
    clientId: stringClaim(claims, 'azp'),
    isAppOnly: claims.gty === 'client-credentials',
  });
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
