import { InvalidTokenError } from '../../protocol/errors/errors.js';
import type { OidcPrincipal } from '../../core/claims/principal.js';
import type { RouteResource } from './protected-resource-entry.js';

/**
 * A token issued for another resource of the application opens none of this one's routes, whatever
 * it grants: refused as `invalid_token` (401), so that the client asks for a token for this
 * resource rather than for more scopes.
 */
export function enforceResourceAudience(resource: RouteResource, principal: OidcPrincipal): void {
  if (resource.admits(principal.audience)) return;
  const err = new InvalidTokenError(
    'resource_mismatch',
    'The token is not meant for this resource (audience)',
  );
  err.issuer = principal.issuer;
  throw err;
}
