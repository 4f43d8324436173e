import { InvalidTokenError } from '../protocol/errors.js';
import type { OidcPrincipal } from '../verification/principal.js';

/**
 * `@Issuers(...)`: a token of another trusted issuer is one this route does not take, whatever it
 * grants, so it is refused as `invalid_token` (401) rather than as a missing privilege (403).
 */
export function enforceIssuers(
  issuers: readonly string[] | undefined,
  principal: OidcPrincipal,
): void {
  if (issuers === undefined || issuers.includes(principal.issuer)) return;
  const err = new InvalidTokenError(
    'issuer_not_allowed',
    'This resource does not accept tokens of the issuer that signed this one',
  );
  err.issuer = principal.issuer;
  throw err;
}
