import { OidcAuthConfigError } from '../config/config-error.js';
import { type IssuerOptions, type KeySetTuning } from '../issuers/issuer-options.js';
import { IssuerRegistry } from '../issuers/issuer-registry.js';
import {
  type IssuerResolver,
  ResolvedIssuers,
  type ResolverCacheOptions,
  type ResolverProblem,
} from '../issuers/issuer-resolver.js';
import type { KeyFetchOutcome } from '../keys/key-fetch-report.js';
import type { VerificationKey } from '../keys/key-set.js';
import { TokenVerifier } from './token-verifier.js';
import { TrustedIssuer } from '../issuers/trusted-issuer.js';

/** Everything the core needs to verify tokens; framework-free. */
export interface VerifierConfig {
  /** Trusted issuers; presets returning several entries (e.g. `azureAd()`) may be listed as they are. */
  issuers: ReadonlyArray<IssuerOptions | readonly IssuerOptions[]>;
  /** Asked about issuers no `issuers` entry matches; may then be the only source of trust. */
  issuerResolver?: IssuerResolver;
  resolverCache?: ResolverCacheOptions;
  /** Told when the resolver fails or answers with an unusable entry, for the log. */
  onResolverProblem?: (problem: ResolverProblem) => void;
  /** Leeway for `exp`, `nbf` and `iat`, in seconds. Default 60. */
  clockToleranceSeconds?: number;
  keys?: KeySetTuning;
  /** Told after each successful key-set fetch, e.g. to retire cached tokens of keys gone. */
  onKeysRefreshed?: (issuer: string, keys: readonly VerificationKey[]) => void;
  /** Told how each key-set fetch ended, e.g. to count failures. */
  onKeysFetched?: (issuer: string, outcome: KeyFetchOutcome) => void;
  now?: () => number;
}

export function clockToleranceOf(config: { clockToleranceSeconds?: number }): number {
  const tolerance = config.clockToleranceSeconds ?? 60;
  if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance < 0) {
    throw new OidcAuthConfigError('clockToleranceSeconds', 'must be a number of seconds >= 0');
  }
  return tolerance;
}

function checkTuning(keys: KeySetTuning | undefined): void {
  for (const [name, value] of Object.entries(keys ?? {})) {
    if (value === undefined) continue;
    const positive = name === 'timeoutMs' || name === 'maxBytes';
    if (
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      value < 0 ||
      (positive && value === 0)
    ) {
      throw new OidcAuthConfigError(
        `keys.${name}`,
        `must be a ${positive ? 'positive' : 'non-negative'} number, got ${JSON.stringify(value)}`,
      );
    }
  }
}

/**
 * The core's one entry: checks the configuration (throwing `OidcAuthConfigError` naming the bad
 * option) and returns a verifier whose `verify(token)` answers with a principal or an
 * `OidcAuthError`. The Nest module, the passport strategy and the transports are adapters over it.
 */
export function createVerifier(config: VerifierConfig): TokenVerifier {
  const resolver = config?.issuerResolver;
  if (resolver !== undefined && typeof resolver !== 'function') {
    throw new OidcAuthConfigError('issuerResolver', 'must be a function (iss) => IssuerOptions');
  }
  const issuerList = resolver && config.issuers === undefined ? [] : config?.issuers;
  if (!Array.isArray(issuerList) || (issuerList.length === 0 && !resolver)) {
    throw new OidcAuthConfigError(
      'issuers',
      'must list at least one trusted issuer (or set issuerResolver)',
    );
  }
  checkTuning(config.keys);
  const entries = issuerList.flatMap((entry, i) =>
    Array.isArray(entry)
      ? entry.map((issuer, j) => ({ issuer, path: `issuers[${i}][${j}]` }))
      : [{ issuer: entry as IssuerOptions, path: `issuers[${i}]` }],
  );
  const hooks = { onKeysRefreshed: config.onKeysRefreshed, onKeysFetched: config.onKeysFetched };
  const seen = new Set<string>();
  const trusted = entries.map(({ issuer, path }) => {
    const built = new TrustedIssuer(issuer, path, config.keys, hooks);
    if (seen.has(built.issuer)) {
      throw new OidcAuthConfigError(`${path}.issuer`, `lists ${built.issuer} a second time`);
    }
    seen.add(built.issuer);
    return built;
  });
  const resolved =
    resolver &&
    new ResolvedIssuers(
      resolver,
      config.resolverCache,
      (options, path, previous) => new TrustedIssuer(options, path, config.keys, hooks, previous),
      config.now,
      config.onResolverProblem,
    );
  if (!resolver && config.resolverCache !== undefined) {
    throw new OidcAuthConfigError('resolverCache', 'needs issuerResolver');
  }
  return new TokenVerifier(new IssuerRegistry(trusted, resolved), {
    clockToleranceSeconds: clockToleranceOf(config),
    now: config.now,
  });
}
