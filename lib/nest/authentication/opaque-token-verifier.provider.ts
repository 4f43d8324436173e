import { Logger, type Provider } from '@nestjs/common';
import { clockToleranceOf } from '../../core/jwt/create-verifier.js';
import {
  type IntrospectionProblem,
  OpaqueTokenVerifier,
} from '../../core/opaque/opaque-token-verifier.js';
import type { OidcStore } from '../../core/store/store.js';
import { TokenVerifier } from '../../core/jwt/token-verifier.js';
import {
  OIDC_AUTH_OPTIONS,
  OIDC_AUTH_STORE,
  type OidcAuthModuleOptions,
} from '../options/oidc-auth.options.js';
import { RefusalLogLimiter } from '../observability/refusal-log-limiter.js';
import { loggable } from '../transports/transport.js';

// Outages hit every request at once: one line per kind per interval, with what went wrong (our
// own credentials refused reads differently from a timeout), never the token.
function problemLogger(intervalMs: number): (problem: IntrospectionProblem) => void {
  const logger = new Logger('OidcAuthIntrospection');
  const outages = new RefusalLogLimiter(intervalMs);
  const store = new RefusalLogLimiter(intervalMs);
  return (problem) => {
    if (problem.kind === 'unavailable') {
      const unlogged = outages.admit('introspection_unavailable');
      if (unlogged === undefined) return;
      logger.error(
        `Introspection at ${loggable(problem.issuer)} failed: ${loggable(problem.detail)}${unlogged}`,
      );
      return;
    }
    const unlogged = store.admit('introspection_unavailable');
    if (unlogged === undefined) return;
    const cause = problem.error instanceof Error ? problem.error.message : String(problem.error);
    logger.warn(
      `The store failed to ${problem.operation} an introspection result (${loggable(cause)}); introspecting without the cache${unlogged}`,
    );
  };
}

/** `null` when no trusted issuer introspects: the authenticator then never looks. */
export function createOpaqueTokenVerifier(
  options: OidcAuthModuleOptions,
  verifier: TokenVerifier,
  store: OidcStore,
): OpaqueTokenVerifier | null {
  const opaque = new OpaqueTokenVerifier({
    verifier,
    store,
    clockToleranceSeconds: clockToleranceOf(options),
    discoveryFetch: {
      timeoutMs: options.keys?.timeoutMs ?? 5_000,
      maxBytes: options.keys?.maxBytes ?? 512 * 1024,
    },
    onProblem: problemLogger(options.refusalLogIntervalMs ?? 10_000),
  });
  return opaque.enabled ? opaque : null;
}

export const opaqueTokenVerifierProvider: Provider = {
  provide: OpaqueTokenVerifier,
  useFactory: createOpaqueTokenVerifier,
  inject: [OIDC_AUTH_OPTIONS, TokenVerifier, OIDC_AUTH_STORE],
};
