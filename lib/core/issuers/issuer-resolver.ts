import { LRUCache } from 'lru-cache';
import { InvalidTokenError, KeysUnavailableError } from '../../protocol/errors/errors.js';
import { OidcAuthConfigError } from '../config/config-error.js';
import type { IssuerOptions } from './issuer-options.js';
import { TrustedIssuer } from './trusted-issuer.js';

/**
 * Decides at runtime whether an issuer is trusted, e.g. by looking up the tenant whose issuer it
 * is: its entry when it is, `undefined` (or `null`) when it is not. Asked only about `iss` values
 * no static `issuers` entry matches, before anything is fetched.
 */
export type IssuerResolver = (
  iss: string,
) => IssuerOptions | undefined | null | Promise<IssuerOptions | undefined | null>;

/** Bounds of what the resolver's answers are remembered for. */
export interface ResolverCacheOptions {
  /** Most approved issuers kept, with their key sets; the least recently used go first. Default 100. */
  maxIssuers?: number;
  /**
   * How long an approval is trusted before the resolver is asked again (ms): a tenant removed
   * from the resolver stops being trusted, cached tokens included, this long after at most.
   * Default 5 minutes.
   */
  ttlMs?: number;
  /** How long a refusal of the resolver is remembered (ms). Default 60000. */
  negativeTtlMs?: number;
  /** Most refused issuers remembered; the least recently used go first. Default 10000. */
  maxNegative?: number;
}

/** Why a resolver's answer could not be used: told to the application, for its log. */
export type ResolverProblem =
  | { kind: 'failed'; iss: string; error: unknown }
  | { kind: 'invalid_entry'; iss: string; message: string };

const DEFAULTS: Required<ResolverCacheOptions> = {
  maxIssuers: 100,
  ttlMs: 5 * 60_000,
  negativeTtlMs: 60_000,
  maxNegative: 10_000,
};

// A failing resolver (its database down) is asked again after this long, not on every token.
const FAILURE_RETRY_MS = 1_000;

interface Approval {
  trusted: TrustedIssuer;
  /** Epoch ms after which the resolver must approve the issuer again. */
  until: number;
}

interface Refusal {
  until: number;
  failed: boolean;
}

export function resolverCacheOptionsOf(options: ResolverCacheOptions | undefined) {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new OidcAuthConfigError('resolverCache', 'must be an object');
  }
  const merged = { ...DEFAULTS };
  for (const [name, value] of Object.entries(options ?? {})) {
    if (value === undefined) continue;
    const isCount = name === 'maxIssuers' || name === 'maxNegative';
    const ok =
      typeof value === 'number' &&
      (isCount ? Number.isInteger(value) && value >= 1 : Number.isFinite(value) && value > 0);
    if (!(name in DEFAULTS) || !ok) {
      throw new OidcAuthConfigError(
        `resolverCache.${name}`,
        name in DEFAULTS
          ? `must be a positive ${isCount ? 'integer' : 'number of milliseconds'}, got ${JSON.stringify(value)}`
          : 'is not an option (maxIssuers, ttlMs, negativeTtlMs, maxNegative)',
      );
    }
    merged[name as keyof ResolverCacheOptions] = value;
  }
  return merged;
}

/**
 * The issuers an `IssuerResolver` approved, each built and checked like a static entry and kept
 * with its key set, and those it refused. Both bounded and aged: an approval lasts `ttlMs`, a
 * refusal `negativeTtlMs`. Concurrent tokens of one new issuer share one resolver call. Nothing is
 * fetched for an issuer before the resolver approves it.
 */
export class ResolvedIssuers {
  private readonly approved: LRUCache<string, Approval>;
  private readonly refused: LRUCache<string, Refusal>;
  private readonly pending = new Map<string, Promise<TrustedIssuer>>();
  private readonly until = new WeakMap<TrustedIssuer, number>();
  private readonly limits: Required<ResolverCacheOptions>;

  constructor(
    private readonly resolver: IssuerResolver,
    options: ResolverCacheOptions | undefined,
    /**
     * Builds an approved entry, renewing `previous` (keeping its key set when it can); throws
     * `OidcAuthConfigError` when the entry is invalid.
     */
    private readonly build: (
      options: IssuerOptions,
      path: string,
      previous: TrustedIssuer | undefined,
    ) => TrustedIssuer,
    private readonly now: () => number = Date.now,
    private readonly onProblem: (problem: ResolverProblem) => void = () => undefined,
  ) {
    this.limits = resolverCacheOptionsOf(options);
    this.approved = new LRUCache({ max: this.limits.maxIssuers });
    this.refused = new LRUCache({ max: this.limits.maxNegative });
  }

  /**
   * Without waiting: the approved entry of `iss`, or `undefined` when only the resolver can say.
   * Throws when the resolver refused `iss` (or failed on it) recently.
   */
  peek(iss: string): TrustedIssuer | undefined {
    const now = this.now();
    // An approval that ran out stays until it is renewed or evicted, so that a renewal keeps its
    // key set (no refetch, no wait, stale keys still serving while the provider is down).
    const approval = this.approved.get(iss);
    if (approval && now < approval.until) return approval.trusted;
    const refusal = this.refused.get(iss);
    if (refusal) {
      if (now < refusal.until) throw this.refusalError(iss, refusal, now);
      this.refused.delete(iss);
    }
    return undefined;
  }

  /** The approved entry of `iss`, asking the resolver when needed; throws when it is not trusted. */
  async resolve(iss: string): Promise<TrustedIssuer> {
    const known = this.peek(iss);
    if (known) return known;
    let pending = this.pending.get(iss);
    if (!pending) {
      pending = this.ask(iss).finally(() => this.pending.delete(iss));
      this.pending.set(iss, pending);
    }
    return pending;
  }

  /** Until when (epoch ms) an approved entry is trusted; `undefined` for entries not resolved. */
  trustedUntil(trusted: TrustedIssuer): number | undefined {
    return this.until.get(trusted);
  }

  /** How many issuers are approved now. */
  get size(): number {
    const now = this.now();
    let count = 0;
    for (const approval of this.approved.values()) if (now < approval.until) count += 1;
    return count;
  }

  private async ask(iss: string): Promise<TrustedIssuer> {
    let options: IssuerOptions | undefined | null;
    try {
      options = await this.resolver(iss);
    } catch (error) {
      this.onProblem({ kind: 'failed', iss, error });
      return this.refuse(iss, true, FAILURE_RETRY_MS);
    }
    if (options === undefined || options === null) {
      return this.refuse(iss, false, this.limits.negativeTtlMs);
    }
    let trusted: TrustedIssuer;
    try {
      const previous = this.approved.peek(iss)?.trusted;
      trusted = this.build(options, `issuerResolver(${JSON.stringify(iss)})`, previous);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.onProblem({ kind: 'invalid_entry', iss, message });
      return this.refuse(iss, false, this.limits.negativeTtlMs);
    }
    // A resolver bug must not let one issuer's tokens be checked with another issuer's keys.
    if (trusted.issuer !== iss && !trusted.aliases.includes(iss) && !trusted.isTemplate) {
      this.onProblem({
        kind: 'invalid_entry',
        iss,
        message: `issuerResolver answered for ${JSON.stringify(iss)} with the entry of ${JSON.stringify(trusted.issuer)}`,
      });
      return this.refuse(iss, false, this.limits.negativeTtlMs);
    }
    const until = this.now() + this.limits.ttlMs;
    this.until.set(trusted, until);
    this.approved.set(iss, { trusted, until });
    this.refused.delete(iss);
    return trusted;
  }

  private refuse(iss: string, failed: boolean, forMs: number): never {
    if (!failed) this.approved.delete(iss);
    const now = this.now();
    const refusal = { until: now + forMs, failed };
    this.refused.set(iss, refusal);
    throw this.refusalError(iss, refusal, now);
  }

  // A resolver that failed cannot say whether the token is good: like keys that cannot be fetched,
  // that is a 503 with Retry-After, never an allow and never a 401 that makes clients drop tokens.
  private refusalError(iss: string, refusal: Refusal, now: number): Error {
    if (!refusal.failed) {
      return new InvalidTokenError('unknown_issuer', 'The token issuer is not trusted by this API');
    }
    return new KeysUnavailableError(iss, Math.max(1, Math.ceil((refusal.until - now) / 1000)));
  }
}
