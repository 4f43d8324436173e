import { LRUCache } from 'lru-cache';
import { OidcAuthConfigError } from '../config/config-error.js';
import type { OidcStore } from './store.js';

export interface MemoryStoreOptions {
  /**
   * Entries kept at most; the least recently used goes first once full. Default 100,000 (a few
   * tens of MB at worst). A DPoP proof id evicted before its window ends could be replayed, so size
   * it above the proofs one process accepts within the proof window.
   */
  maxEntries?: number;
}

/** A bounded, expiring store in this process's memory: the default `OidcStore`. */
export class MemoryStore implements OidcStore {
  private readonly entries: LRUCache<string, string>;

  constructor(options: MemoryStoreOptions = {}) {
    const max = options.maxEntries ?? 100_000;
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new OidcAuthConfigError('store.maxEntries', 'must be a positive integer');
    }
    // ttlAutopurge stays off: expired entries are dropped when met or evicted, without a timer each.
    this.entries = new LRUCache({ max, ttlAutopurge: false });
  }

  setIfAbsent(key: string, value: string, ttlMs: number): boolean {
    if (this.entries.has(key)) return false;
    this.entries.set(key, value, { ttl: ttlOf(ttlMs) });
    return true;
  }

  get(key: string): string | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: string, ttlMs: number): void {
    this.entries.set(key, value, { ttl: ttlOf(ttlMs) });
  }
}

// lru-cache reads a ttl of 0 as "forever"; a store entry always ends.
function ttlOf(ttlMs: number): number {
  return Math.max(1, Math.ceil(ttlMs));
}
