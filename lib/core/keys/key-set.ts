import type { KeyObject } from 'node:crypto';
import { InvalidTokenError, KeysUnavailableError } from '../../protocol/errors/errors.js';
import { type Algorithm, curveFor, fitsKeyType, keyFits } from '../jose/algorithms.js';

/**
 * A public key from the issuer's key set, with the algorithm its JWK states (if it states one).
 * Keys whose JWK `use` or `key_ops` rule out verifying signatures never get here (see the loader).
 */
export interface VerificationKey {
  kid?: string;
  alg?: string;
  key: KeyObject;
}

/**
 * Whether a key can check a signature of `algorithm`: its JWK `alg`, if stated, is that algorithm,
 * and its type (and curve) fit it. RFC 7517 §4.5 lets keys of different types share a `kid`, so
 * this, not the `kid` alone, picks the key (as panva/jose does).
 */
function fits(candidate: VerificationKey, algorithm: Algorithm): boolean {
  if (candidate.alg !== undefined && candidate.alg !== algorithm) return false;
  return keyFits(algorithm, candidate.key);
}

export type KeyLoader = () => Promise<VerificationKey[]>;

export interface KeySetOptions {
  /** Least time between two fetches. Bounds what requests with unknown `kid`s can cost the provider. */
  cooldownMs: number;
  /** Age after which the key set is refreshed in the background while it keeps serving. */
  maxAgeMs: number;
  /**
   * Longest a caller waits for a fetch before it is told the keys are unavailable; the fetch goes
   * on and later callers use its result. Keeps a hanging issuer from holding every connection.
   */
  maxWaitMs: number;
  now?: () => number;
}

export interface KeySetStatus {
  loaded: boolean;
  keyCount: number;
  fetchedAt?: Date;
  lastError?: string;
}

/**
 * One issuer's signing keys, kept in memory.
 *
 * - An unknown `kid` refetches the set at most once per cooldown, and concurrent callers share that
 *   one fetch, so a flood of made-up `kid`s costs the provider one request per cooldown while a key
 *   the provider really rotated in is picked up by the next refetch, a cooldown later at most.
 * - A failed fetch keeps the last good keys serving and is retried after the cooldown: a failure is
 *   never cached beyond that.
 * - An unknown `kid` is refused as such (401) only when the set is known to be current: after a
 *   failed fetch, or while a fetch is still pending after `maxWaitMs`, the key may exist and cannot
 *   be checked right now, which is `KeysUnavailableError` (503 with Retry-After). Clients then retry
 *   instead of throwing good tokens away.
 */
export class KeySet {
  private keys: readonly VerificationKey[] | undefined;
  private fetchedAt = 0;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private lastError: string | undefined;
  private inflight: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(
    readonly issuer: string,
    private readonly load: KeyLoader,
    private readonly options: KeySetOptions,
    /** Told after each successful fetch, so caches of verified tokens can drop retired keys. */
    private readonly onRefresh?: (keys: readonly VerificationKey[]) => void,
  ) {
    this.now = options.now ?? Date.now;
  }

  async get(kid: string | undefined, algorithm: Algorithm): Promise<VerificationKey> {
    if (!this.keys) {
      await this.waitFor(this.refreshIfAllowed());
      if (!this.keys) throw this.unavailable();
    }
    const known = this.peek(kid, algorithm);
    if (known) return known;
    const current = await this.waitFor(this.refreshIfAllowed());
    const found = this.find(kid, algorithm, true);
    if (found) return found;
    if (!current || this.lastError !== undefined) throw this.unavailable();
    return this.notFound(kid, algorithm);
  }

  /**
   * The key for `kid` and `algorithm` if it is in memory, without waiting; `undefined` when `get`
   * must fetch. Stale keys still answer, while a background refresh starts.
   */
  peek(kid: string | undefined, algorithm: Algorithm): VerificationKey | undefined {
    if (!this.keys) return undefined;
    if (this.now() - this.fetchedAt > this.options.maxAgeMs) void this.refreshIfAllowed();
    return this.find(kid, algorithm);
  }

  /** Fetches the key set now; resolves whether or not the fetch succeeded (see `status()`). */
  async warmUp(): Promise<void> {
    await this.refresh();
  }

  status(): KeySetStatus {
    return {
      loaded: this.keys !== undefined,
      keyCount: this.keys?.length ?? 0,
      fetchedAt: this.keys ? new Date(this.fetchedAt) : undefined,
      lastError: this.lastError,
    };
  }

  /**
   * The one key under `kid` (or, without a kid, in the set) that fits `algorithm`. With
   * `orNamed`, failing that, the first key under `kid` (or the only key of the set), which the
   * verifier then refuses as `key_mismatch`, naming what is wrong with it.
   */
  private find(
    kid: string | undefined,
    algorithm: Algorithm,
    orNamed = false,
  ): VerificationKey | undefined {
    const keys = this.keys ?? [];
    let named: VerificationKey | undefined;
    let fitting: VerificationKey | undefined;
    for (const candidate of keys) {
      if (kid !== undefined && candidate.kid !== kid) continue;
      if (fits(candidate, algorithm)) {
        // Two keys that both fit (a kid reused within one key type, RFC 7517 §4.5): no choice is
        // right, and jose refuses to make one too.
        if (fitting) return undefined;
        fitting = candidate;
      }
      named ??= candidate;
    }
    if (fitting || !orNamed) return fitting;
    return kid !== undefined || keys.length === 1 ? named : undefined;
  }

  private notFound(kid: string | undefined, algorithm: Algorithm): never {
    const fitting = (this.keys ?? []).filter((k) => k.kid === kid && fits(k, algorithm)).length;
    throw new InvalidTokenError(
      'unknown_kid',
      kid === undefined
        ? 'The token has no kid and the issuer publishes no single key for its algorithm'
        : fitting > 1
          ? 'The issuer publishes several keys under the token kid; none can be chosen'
          : 'The token was signed with a key the issuer does not publish',
    );
  }

  private unavailable(): KeysUnavailableError {
    const wait = this.options.cooldownMs - (this.now() - this.lastAttemptAt);
    return new KeysUnavailableError(this.issuer, Math.max(1, Math.ceil(wait / 1000)));
  }

  /** Waits for a fetch at most `maxWaitMs`; false when it is still pending then. */
  private async waitFor(pending: Promise<void>): Promise<boolean> {
    if (!this.inflight) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(resolve, this.options.maxWaitMs, false);
    });
    try {
      return await Promise.race([pending.then(() => true), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private refreshIfAllowed(): Promise<void> {
    if (this.inflight) return this.inflight;
    if (this.now() - this.lastAttemptAt < this.options.cooldownMs) return Promise.resolve();
    return this.refresh();
  }

  private refresh(): Promise<void> {
    if (this.inflight) return this.inflight;
    this.lastAttemptAt = this.now();
    this.inflight = this.load()
      .then((keys) => {
        this.keys = keys;
        this.fetchedAt = this.now();
        this.lastError = undefined;
        this.onRefresh?.(keys);
      })
      .catch((err: unknown) => {
        this.lastError = err instanceof Error ? err.message : String(err);
      })
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }
}

/**
 * The key of a `KeySet` answer, once it is shown to fit `algorithm` exactly (RFC 8725 §3.1): its
 * JWK `alg` if stated, its type and curve, and at least 2048 bits for RSA. `get` may answer with
 * the one key a `kid` names even when it does not fit, so that this refusal can say why.
 */
export function usableKey(found: VerificationKey, algorithm: Algorithm): KeyObject {
  if (found.alg !== undefined && found.alg !== algorithm) {
    throw new InvalidTokenError(
      'key_mismatch',
      "The token algorithm differs from its key's algorithm",
    );
  }
  const key = found.key;
  if (!fitsKeyType(algorithm, key.asymmetricKeyType)) {
    throw new InvalidTokenError('key_mismatch', 'The token algorithm does not fit its key type');
  }
  const details = key.asymmetricKeyDetails;
  const curve = curveFor(algorithm);
  if (curve !== undefined && details?.namedCurve !== curve) {
    throw new InvalidTokenError('key_mismatch', 'The token algorithm does not fit its key curve');
  }
  if (key.asymmetricKeyType === 'rsa' && (details?.modulusLength ?? 0) < 2048) {
    throw new InvalidTokenError('key_mismatch', 'The token key is shorter than 2048 bits');
  }
  return key;
}
