import {
  InvalidDPoPProofError,
  ReplayStoreUnavailableError,
} from '../../../../lib/protocol/errors/errors.js';
import { DPoPReplayCache } from '../../../../lib/core/dpop/dpop-replay.js';
import { MemoryStore } from '../../../../lib/core/store/memory-store.js';
import type { OidcStore } from '../../../../lib/core/store/store.js';

const proof = (jti: string, thumbprint = 'jkt-1') => ({ thumbprint, jti, iat: 0 });

/** A store that works, or fails (synchronously or not) while `down` is set. */
class FlakyStore implements OidcStore {
  down: 'no' | 'throws' | 'rejects' = 'no';
  readonly inner = new MemoryStore();
  setIfAbsent(key: string, value: string, ttlMs: number) {
    if (this.down === 'throws') throw new Error('connection lost');
    if (this.down === 'rejects') return Promise.reject(new Error('timed out'));
    return Promise.resolve(this.inner.setIfAbsent(key, value, ttlMs));
  }
  get(key: string) {
    return this.inner.get(key);
  }
  set(key: string, value: string, ttlMs: number) {
    this.inner.set(key, value, ttlMs);
  }
}

describe('DPoPReplayCache', () => {
  it('refuses a proof id seen before for the same key, synchronously on a MemoryStore', () => {
    const store = new MemoryStore();
    const cache = new DPoPReplayCache({ store, windowMs: 1_000 });
    expect(cache.remember(proof('a'), 0)).toBeUndefined();
    expect(() => cache.remember(proof('a'), 1)).toThrow(InvalidDPoPProofError);
    expect(cache.remember(proof('a', 'jkt-2'), 2)).toBeUndefined();
    expect(store.get('dpop:jkt-1:a')).toBe('1');
  });

  it('refuses a replay through an asynchronous store', async () => {
    const cache = new DPoPReplayCache({ store: new FlakyStore(), windowMs: 1_000 });
    await expect(cache.remember(proof('a'), 0)).resolves.toBeUndefined();
    await expect(cache.remember(proof('a'), 1)).rejects.toMatchObject({
      reason: 'dpop_proof_replayed',
    });
  });

  it.each(['throws', 'rejects'] as const)(
    'answers 503 when the store %s and onStoreFailure is refuse (the default), warning once',
    async (failure) => {
      const store = new FlakyStore();
      const warnings: string[] = [];
      const cache = new DPoPReplayCache({
        store,
        windowMs: 1_000,
        warn: (m) => warnings.push(m),
        retryAfterSeconds: 3,
      });
      store.down = failure;
      for (const jti of ['a', 'b']) {
        const failed = Promise.resolve().then(() => cache.remember(proof(jti), 10));
        await expect(failed).rejects.toBeInstanceOf(ReplayStoreUnavailableError);
        await expect(failed).rejects.toMatchObject({ retryAfterSeconds: 3 });
      }
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/refusing DPoP requests with 503/);
    },
  );

  it('falls back to local memory with onStoreFailure local, still refusing replays there and after', async () => {
    const store = new FlakyStore();
    const warnings: string[] = [];
    const cache = new DPoPReplayCache({
      store,
      windowMs: 1_000,
      onStoreFailure: 'local',
      warn: (m) => warnings.push(m),
    });
    store.down = 'rejects';
    await expect(cache.remember(proof('a'), 10)).resolves.toBeUndefined();
    await expect(
      Promise.resolve().then(() => cache.remember(proof('a'), 11)),
    ).rejects.toMatchObject({
      reason: 'dpop_proof_replayed',
    });
    expect(warnings[0]).toMatch(/in this process only/);
    // Back up: an id taken during the outage is not in the store, and is still refused.
    store.down = 'no';
    await expect(
      Promise.resolve().then(() => cache.remember(proof('a'), 12)),
    ).rejects.toMatchObject({
      reason: 'dpop_proof_replayed',
    });
    await expect(cache.remember(proof('b'), 13)).resolves.toBeUndefined();
  });
});
