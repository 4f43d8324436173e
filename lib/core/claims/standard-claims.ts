import { type ClaimMapper, listClaim, stringClaim } from './claims.js';

/**
 * The JWT access-token profile (RFC 9068) read as it is: scopes from `scope` or `scp`, roles from
 * `roles`, the client from `client_id`/`azp`. A token is app-only when its subject is the client
 * itself (RFC 9068 §2.2 for client-credentials tokens). The mapping of an issuer that names no
 * provider's mapper; the `genericClaims` preset of `providers/` is this same function.
 */
export const standardClaims: ClaimMapper = (claims) => {
  const clientId = stringClaim(claims, 'client_id') ?? stringClaim(claims, 'azp');
  return {
    scopes: [...listClaim(claims.scope), ...listClaim(claims.scp)],
    roles: listClaim(claims.roles),
    clientId,
    tenantId: stringClaim(claims, 'tid'),
    isAppOnly: clientId !== undefined && claims.sub === clientId,
  };
};
