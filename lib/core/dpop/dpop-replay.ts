import {
  InvalidDPoPProofError,
  ReplayStoreUnavailableError,
} from '../../protocol/errors/errors.js';
import type { DPoPProof } from './dpop-proof.js';
import { MemoryStore } from '../store/memory-store.js';
import type { OidcStore } from '../store/store.js';

export interface DPoPReplayOptions {
  /** Where proof ids are remembered, under the `dpop:` prefix. */
  store: OidcStore;
  /** How long a proof id is remembered: the proof's accepted `iat` window. */
  windowMs: number;
  /**
   * When the store cannot answer: `refuse` (default) answers 503 with `Retry-After`; `local`
   * remembers proof ids in this process only until it answers again, which lets a proof replayed
   * to another replica through meanwhile.
   */
  onStoreFailure?: 'refuse' | 'local';
  /** Told when the store failed (at most once per `warnIntervalMs`), with what was done. */
  warn?: (message: string) => void;
  /** Least time between two `warn` calls (ms). Default 10000. */
  warnIntervalMs?: number;
  /** `Retry-After` of the 503, in seconds. Default 5. */
  retryAfterSeconds?: number;
}

/**
 * Refuses a DPoP proof whose `jti` was seen before for the same key within the proof window (RFC
 * 9449 §11.1), across every replica sharing the store. A store outage never becomes an accepted
 * replay: it refuses, or falls back to this process's memory when configured to.
 */
export class DPoPReplayCache {
  private readonly fallback = new MemoryStore();
  private fallbackUntil = 0;
  private lastWarning = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: DPoPReplayOptions) {}

  /** Records the proof; throws (or rejects with) a refusal when it was seen before. */
  remember(proof: DPoPProof, nowMs: number): void | Promise<void> {
    const key = `dpop:${proof.thumbprint}:${proof.jti}`;
    // Ids taken locally during an outage are not in the store: a replay of one must still fail here.
    if (nowMs < this.fallbackUntil && !this.fallback.setIfAbsent(key, '1', this.options.windowMs)) {
      return replayed();
    }
    let stored: boolean | Promise<boolean>;
    try {
      stored = this.options.store.setIfAbsent(key, '1', this.options.windowMs);
    } catch (err) {
      return this.storeFailed(key, nowMs, err);
    }
    if (stored === true) return;
    if (stored === false) return replayed();
    return stored.then(
      (fresh) => (fresh ? undefined : replayed()),
      (err: unknown) => this.storeFailed(key, nowMs, err),
    );
  }

  private storeFailed(key: string, nowMs: number, err: unknown): void {
    const local = this.options.onStoreFailure === 'local';
    const interval = this.options.warnIntervalMs ?? 10_000;
    if (nowMs - this.lastWarning >= interval) {
      this.lastWarning = nowMs;
      const cause = err instanceof Error ? err.message : String(err);
      this.options.warn?.(
        `The DPoP replay store failed (${cause.slice(0, 200)}): ${local ? 'remembering proof ids in this process only' : 'refusing DPoP requests with 503'}`,
      );
    }
    if (!local) {
      throw new ReplayStoreUnavailableError(this.options.retryAfterSeconds ?? 5);
    }
    this.fallbackUntil = nowMs + this.options.windowMs;
    if (!this.fallback.setIfAbsent(key, '1', this.options.windowMs)) replayed();
  }
}

function replayed(): never {
  throw new InvalidDPoPProofError('dpop_proof_replayed', 'The DPoP proof was used before');
}
