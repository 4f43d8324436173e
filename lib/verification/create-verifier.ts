import { OidcAuthConfigError } from './config-error.js';
import { type IssuerOptions, type KeySetTuning } from './issuer-options.js';
import { IssuerRegistry } from './issuer-registry.js';
import type { VerificationKey } from './key-set.js';
import { TokenVerifier } from './token-verifier.js';
import { TrustedIssuer } from './trusted-issuer.js';

/** Everything the core needs to verify tokens; framework-free. */
export interface VerifierConfig {
  /** Trusted issuers; presets returning several entries (e.g. `azureAd()`) may be listed as they are. */
  issuers: ReadonlyArray<IssuerOptions | readonly IssuerOptions[]>;
  /** Leeway for `exp`, `nbf` and `iat`, in seconds. Default 60. */
  clockToleranceSeconds?: number;
  keys?: KeySetTuning;
  /** Told after each successful key-set fetch, e.g. to retire cached tokens of keys gone. */
  onKeysRefreshed?: (issuer: string, keys: readonly VerificationKey[]) => void;
  now?: () => number;
}

export function clockToleranceOf(config: { clockToleranceSeconds?: number }): number {
  const tolerance = config.clockToleranceSeconds ?? 60;
  if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance < 0) {
    throw new OidcAuthConfigError('clockToleranceSeconds', 'must be a number of seconds >= 0');
  }
  return tolerance;
}

/**
 * The core's one entry: checks the configuration (throwing `OidcAuthConfigError` naming the bad
 * option) and returns a verifier whose `verify(token)` answers with a principal or an
 * `OidcAuthError`. The Nest module, the passport strategy and the transports are adapters over it.
 */
export function createVerifier(config: VerifierConfig): TokenVerifier {
  if (!Array.isArray(config?.issuers) || config.issuers.length === 0) {
    throw new OidcAuthConfigError('issuers', 'must list at least one trusted issuer');
  }
  const entries = config.issuers.flatMap((entry, i) =>
    Array.isArray(entry)
      ? entry.map((issuer, j) => ({ issuer, path: `issuers[${i}][${j}]` }))
      : [{ issuer: entry as IssuerOptions, path: `issuers[${i}]` }],
  );
  const seen = new Set<string>();
  const trusted = entries.map(({ issuer, path }) => {
    const built = new TrustedIssuer(issuer, path, config.keys, config.onKeysRefreshed);
    if (seen.has(built.issuer)) {
      throw new OidcAuthConfigError(`${path}.issuer`, `lists ${built.issuer} a second time`);
    }
    seen.add(built.issuer);
    return built;
  });
  return new TokenVerifier(new IssuerRegistry(trusted), {
    clockToleranceSeconds: clockToleranceOf(config),
    now: config.now,
  });
}
