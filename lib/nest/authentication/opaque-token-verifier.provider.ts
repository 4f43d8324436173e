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

// Outages hit every request at once: one line per issuer per kind per interval, with what went
// wrong, never the token nor our own secret. Keyed by issuer so that one issuer's outage cannot
// hide another's; only configured issuers introspect, so the keys are few.
function problemLogger(intervalMs: number): (problem: IntrospectionProblem) => void {
  const logger = new Logger('OidcAuthIntrospection');
  const outages = new RefusalLogLimiter<string>(intervalMs);
  const refusals = new RefusalLogLimiter<string>(intervalMs);
  const store = new RefusalLogLimiter(intervalMs);
  return (problem) => {
    if (problem.kind === 'unavailable') {
      const unlogged = outages.admit(problem.issuer);
      if (unlogged === undefined) return;
      logger.error(
        `Introspection at ${loggable(problem.issuer)} failed: ${loggable(problem.detail)}${unlogged}`,
      );
      return;
    }
    if (problem.kind === 'client_refused') {
      const unlogged = refusals.admit(problem.issuer);
      if (unlogged === undefined) return;
      const answer = `HTTP ${problem.status}${problem.error === undefined ? '' : `, error ${loggable(problem.error)}`}`;
      // No retry mends this: the line says what to fix, and that tokens are refused until then.
      logger.error(
        `Introspection at ${loggable(problem.issuer)} refused this API's own client credentials (${answer}): check introspection.clientId and its secret or key; its tokens are answered 503 until then${unlogged}`,
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
