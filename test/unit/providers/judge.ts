import { OidcAuthError } from '../../../lib/protocol/errors.js';
import type { IssuerOptions } from '../../../lib/verification/issuer-options.js';
import { IssuerRegistry } from '../../../lib/verification/issuer-registry.js';
import type { OidcPrincipal } from '../../../lib/verification/principal.js';
import { TokenVerifier } from '../../../lib/verification/token-verifier.js';
import { TrustedIssuer } from '../../../lib/verification/trusted-issuer.js';

/**
 * Runs a preset's issuer entries through the real issuer selection and claim rules (no signature:
 * those are the verifier's and jsonwebtoken's business). Presets read keys through discovery, which
 * nothing here triggers: building a TrustedIssuer fetches nothing.
 */
export function judge(
  entries: IssuerOptions | IssuerOptions[],
  nowSeconds: number,
): (claims: Record<string, unknown>) => OidcPrincipal | string {
  const list = Array.isArray(entries) ? entries : [entries];
  const registry = new IssuerRegistry(
    list.map((options, i) => new TrustedIssuer(options, `issuers[${i}]`)),
  );
  const verifier = new TokenVerifier(registry, {
    clockToleranceSeconds: 60,
    now: () => nowSeconds * 1000,
  });
  return (claims) => {
    try {
      return verifier.checkClaims(claims, registry.select(claims));
    } catch (err) {
      if (err instanceof OidcAuthError) return err.reason;
      throw err;
    }
  };
}
