import type { Provider } from '@nestjs/common';
import { OidcAuthConfigError } from '../verification/config-error.js';
import { IssuerRegistry } from '../verification/issuer-registry.js';
import { TokenVerifier } from '../verification/token-verifier.js';
import { TrustedIssuer } from '../verification/trusted-issuer.js';
import { VerifiedTokenCache } from '../verification/verified-token-cache.js';
import { OIDC_AUTH_OPTIONS, type OidcAuthModuleOptions } from './oidc-auth.options.js';

function clockTolerance(options: OidcAuthModuleOptions): number {
  const tolerance = options.clockToleranceSeconds ?? 60;
  if (!Number.isFinite(tolerance) || tolerance < 0) {
    throw new OidcAuthConfigError('clockToleranceSeconds', 'must be a number of seconds >= 0');
  }
  return tolerance;
}

export function createVerifiedTokenCache(
  options: OidcAuthModuleOptions,
): VerifiedTokenCache | null {
  if (options.cache?.enabled === false) return null;
  const maxEntries = options.cache?.maxEntries ?? 10_000;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new OidcAuthConfigError('cache.maxEntries', 'must be a positive integer');
  }
  return new VerifiedTokenCache({ maxEntries, clockToleranceSeconds: clockTolerance(options) });
}

export function createTokenVerifier(
  options: OidcAuthModuleOptions,
  cache: VerifiedTokenCache | null,
): TokenVerifier {
  if (!Array.isArray(options?.issuers) || options.issuers.length === 0) {
    throw new OidcAuthConfigError('issuers', 'must list at least one trusted issuer');
  }
  const entries = options.issuers.flatMap((entry, i) =>
    Array.isArray(entry)
      ? entry.map((issuer, j) => ({ issuer, path: `issuers[${i}][${j}]` }))
      : [{ issuer: entry, path: `issuers[${i}]` }],
  );
  const seen = new Set<string>();
  const trusted = entries.map(({ issuer, path }) => {
    const built = new TrustedIssuer(
      issuer,
      path,
      options.keys,
      cache ? (name, keys) => cache.retainKeys(name, keys) : undefined,
    );
    if (seen.has(built.issuer)) {
      throw new OidcAuthConfigError(`${path}.issuer`, `lists ${built.issuer} a second time`);
    }
    seen.add(built.issuer);
    return built;
  });
  return new TokenVerifier(new IssuerRegistry(trusted), {
    clockToleranceSeconds: clockTolerance(options),
  });
}

export const verifiedTokenCacheProvider: Provider = {
  provide: VerifiedTokenCache,
  useFactory: createVerifiedTokenCache,
  inject: [OIDC_AUTH_OPTIONS],
};

export const tokenVerifierProvider: Provider = {
  provide: TokenVerifier,
  useFactory: createTokenVerifier,
  inject: [OIDC_AUTH_OPTIONS, VerifiedTokenCache],
};
