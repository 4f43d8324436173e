import { InvalidTokenError } from '../../protocol/errors/errors.js';
import type { OidcPrincipal } from '../../core/claims/principal.js';
import { TENANT_PLACEHOLDER, type TrustedIssuer } from '../../core/issuers/trusted-issuer.js';

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

/**
 * Why an `@Issuers` value could never match a principal's `issuer`, if it could not: it is no
 * trusted issuer, or it is an alias (principals name the entry's issuer), or a template itself
 * (principals name their tenant's issuer).
 */
export function restrictionProblem(
  value: string,
  trusted: readonly TrustedIssuer[],
): string | undefined {
  for (const entry of trusted) {
    if (entry.isTemplate) {
      const [prefix, suffix] = entry.issuer.split(TENANT_PLACEHOLDER);
      if (value === entry.issuer) {
        return `names the template ${value}; list the tenants' own issuers`;
      }
      const tenant = value.slice(prefix.length, value.length - suffix.length);
      if (value.startsWith(prefix) && value.endsWith(suffix) && /^[^/]+$/.test(tenant)) {
        return undefined;
      }
    } else if (entry.issuer === value) {
      return undefined;
    } else if (entry.aliases.includes(value)) {
      return `names ${value}, an alias of ${entry.issuer}; list ${entry.issuer}`;
    }
  }
  return `names ${value}, which is not a trusted issuer`;
}
