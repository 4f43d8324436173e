/**
 * Where the module keeps what must outlive one request: DPoP proof ids seen (replay) and token
 * introspection results. `MemoryStore` (the default) serves one process; `RedisStore`
 * (`nest-oidc-auth/redis`) shares it between replicas, so that a proof replayed to another replica
 * is refused and an introspection result is fetched once for all of them.
 *
 * Methods may answer synchronously, so that the in-memory store costs the guard no promise. A store
 * that cannot answer throws or rejects; the caller decides what that means (refuse with 503, or
 * fall back, as its options say), never the store.
 */
export interface OidcStore {
  /**
   * Stores `value` under `key` for `ttlMs` unless the key is present; `true` when this call stored
   * it. Must be atomic across every replica sharing the store: replay refusal rests on it.
   */
  setIfAbsent(key: string, value: string, ttlMs: number): boolean | Promise<boolean>;
  /** The value stored under `key`, `undefined` once it expired or was never stored. */
  get(key: string): string | undefined | Promise<string | undefined>;
  /** Stores `value` under `key` for `ttlMs`, replacing what was there. */
  set(key: string, value: string, ttlMs: number): void | Promise<void>;
}
