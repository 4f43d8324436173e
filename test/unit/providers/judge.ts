import { OidcAuthError } from '../../../lib/protocol/errors/errors.js';
import { checkClaims } from '../../../lib/core/jwt/claim-rules.js';
import type { IssuerOptions } from '../../../lib/core/issuers/issuer-options.js';
import { IssuerRegistry } from '../../../lib/core/issuers/issuer-registry.js';
import type { OidcPrincipal } from '../../../lib/core/claims/principal.js';
import { TrustedIssuer } from '../../../lib/core/issuers/trusted-issuer.js';

/**
 * Runs a preset's issuer entries through the real issuer selection and claim rules (no signature:
 * those are the verifier's business). Presets read keys through discovery, which nothing here
 * triggers: building a TrustedIssuer fetches nothing.
 */
export function judge(
  entries: IssuerOptions | IssuerOptions[],
  nowSeconds: number,
): (claims: Record<string, unknown>) => OidcPrincipal | string {
  const list = Array.isArray(entries) ? entries : [entries];
  const registry = new IssuerRegistry(
    list.map((options, i) => new TrustedIssuer(options, `issuers[${i}]`)),
  );
  return (claims) => {
    try {
      return checkClaims(claims, registry.select(claims)!, { nowSeconds, toleranceSeconds: 60 });
    } catch (err) {
      if (err instanceof OidcAuthError) return err.reason;
      throw err;
    }
  };
}
