import { Logger, type Provider } from '@nestjs/common';
import { OidcAuthConfigError } from '../../core/config/config-error.js';
import { clockToleranceOf, createVerifier } from '../../core/jwt/create-verifier.js';
import type { ResolverProblem } from '../../core/issuers/issuer-resolver.js';
import { TokenVerifier } from '../../core/jwt/token-verifier.js';
import { VerifiedTokenCache } from '../../core/jwt/verified-token-cache.js';
import { MemoryStore } from '../../core/store/memory-store.js';
import {
  OIDC_AUTH_OPTIONS,
  OIDC_AUTH_STORE,
  type OidcAuthModuleOptions,
} from '../options/oidc-auth.options.js';
import { RefusalLogLimiter } from '../observability/refusal-log-limiter.js';
import { loggable } from '../transports/transport.js';
import { OidcAuthTelemetry } from '../observability/oidc-auth.telemetry.js';

export function createVerifiedTokenCache(
  options: OidcAuthModuleOptions,
): VerifiedTokenCache | null {
  if (options.cache?.enabled === false) return null;
  const maxEntries = options.cache?.maxEntries ?? 10_000;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new OidcAuthConfigError('cache.maxEntries', 'must be a positive integer');
  }
  return new VerifiedTokenCache({ maxEntries, clockToleranceSeconds: clockToleranceOf(options) });
}

export function createTokenVerifier(
  options: OidcAuthModuleOptions,
  cache: VerifiedTokenCache | null,
  telemetry?: OidcAuthTelemetry,
): TokenVerifier {
  return createVerifier({
    issuers: options?.issuers,
    clockToleranceSeconds: options?.clockToleranceSeconds,
    keys: options?.keys,
    onKeysRefreshed: cache ? (issuer, keys) => cache.retainKeys(issuer, keys) : undefined,
    issuerResolver: options?.issuerResolver,
    resolverCache: options?.resolverCache,
    onResolverProblem: options?.issuerResolver && resolverProblemLogger(),
    onKeysFetched: telemetry && ((issuer, outcome) => telemetry.keysFetched(issuer, outcome)),
  });
}

// A resolver that is down fails for every new issuer at once: one line per kind per 10 s.
function resolverProblemLogger(): (problem: ResolverProblem) => void {
  const logger = new Logger('OidcAuthIssuerResolver');
  const limiter = new RefusalLogLimiter(10_000);
  return (problem) => {
    const failed = problem.kind === 'failed';
    const unlogged = limiter.admit(failed ? 'jwks_unavailable' : 'unknown_issuer');
    if (unlogged === undefined) return;
    const iss = loggable(problem.iss);
    if (failed) {
      const cause = problem.error instanceof Error ? problem.error.message : String(problem.error);
      logger.error(`issuerResolver failed for ${iss}: ${loggable(cause)}${unlogged}`);
    } else {
      logger.error(
        `issuerResolver gave an unusable entry for ${iss}: ${loggable(problem.message)}${unlogged}`,
      );
    }
  };
}

export const verifiedTokenCacheProvider: Provider = {
  provide: VerifiedTokenCache,
  useFactory: createVerifiedTokenCache,
  inject: [OIDC_AUTH_OPTIONS],
};

export const tokenVerifierProvider: Provider = {
  provide: TokenVerifier,
  useFactory: createTokenVerifier,
  inject: [OIDC_AUTH_OPTIONS, VerifiedTokenCache, OidcAuthTelemetry],
};

// Async: the optional `@opentelemetry/api` is imported, if installed, before anything can report.
export const telemetryProvider: Provider = {
  provide: OidcAuthTelemetry,
  useFactory: () => OidcAuthTelemetry.create(),
};

export const storeProvider: Provider = {
  provide: OIDC_AUTH_STORE,
  useFactory: (options: OidcAuthModuleOptions) => options.store ?? new MemoryStore(),
  inject: [OIDC_AUTH_OPTIONS],
};
