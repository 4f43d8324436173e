import { type Provider } from '@nestjs/common';
import { IssuerRegistry } from '../verification/issuer-registry.js';
import { TokenVerifier } from '../verification/token-verifier.js';
import { TrustedIssuer } from '../verification/trusted-issuer.js';
import { OidcAuthConfigError } from '../verification/config-error.js';
import { OIDC_AUTH_OPTIONS } from './oidc-auth.options.js';
import { type OidcAuthModuleOptions } from './oidc-auth.options.js';

export function createTokenVerifier(options: OidcAuthModuleOptions): TokenVerifier {
  if (!Array.isArray(options?.issuers) || options.issuers.length === 0) {
    throw new OidcAuthConfigError('issuers', 'must list at least one trusted issuer');
  }
  const tolerance = options.clockToleranceSeconds ?? 60;
  if (!Number.isFinite(tolerance) || tolerance < 0) {
    throw new OidcAuthConfigError('clockToleranceSeconds', 'must be a number of seconds >= 0');
  }
  const entries = options.issuers.flatMap((entry, i) =>
    Array.isArray(entry)
      ? entry.map((issuer, j) => ({ issuer, path: `issuers[${i}][${j}]` }))
      : [{ issuer: entry, path: `issuers[${i}]` }],
  );
  const seen = new Set<string>();
  const trusted = entries.map(({ issuer, path }) => {
    const built = new TrustedIssuer(issuer, path, options.keys);
    if (seen.has(built.issuer)) {
      throw new OidcAuthConfigError(`${path}.issuer`, `lists ${built.issuer} a second time`);
    }
    seen.add(built.issuer);
    return built;
  });
  return new TokenVerifier(new IssuerRegistry(trusted), { clockToleranceSeconds: tolerance });
}

export const tokenVerifierProvider: Provider = {
  provide: TokenVerifier,
  useFactory: createTokenVerifier,
  inject: [OIDC_AUTH_OPTIONS],
};
