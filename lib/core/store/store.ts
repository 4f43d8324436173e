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
  /**
   * A log shared with the other replicas, for stores that serve several (`RedisStore`): the
   * revocation list reaches every replica through it.
   */
  readonly log?: OidcSharedLog;
}

/** One entry of a shared log: its id, increasing in the order of appends, and its value. */
export interface OidcLogEntry {
  id: string;
  value: string;
}

/** What a subscriber to a shared log hears. */
export interface OidcLogListener {
  /**
   * An entry just appended, with the id of the entry before it (`undefined` for the first kept):
   * a subscriber whose last entry is not that one missed some, and reads them.
   */
  appended(entry: OidcLogEntry, previousId: string | undefined): void;
  /** The subscription is (again) established: what was appended while it was down is unheard. */
  ready(): void;
}

/**
 * A log the replicas share: what one appends, every subscribed one hears at once, and any can read
 * again later, so that a replica that missed a message, or started late, catches up. An optional
 * part of a store (`OidcStore.log`): the in-memory store has none, its process is the only reader.
 */
export interface OidcSharedLog {
  /**
   * Appends `value` to the log `name`, and resolves with its id. Entries older than `ttlMs`, and
   * those beyond the newest `maxEntries`, may be dropped: a flood cannot grow the log without end.
   */
  append(
    name: string,
    value: string,
    bounds: { ttlMs: number; maxEntries: number },
  ): Promise<string>;
  /** Up to `limit` entries after `afterId` (from the oldest kept without it), oldest first. */
  read(name: string, afterId: string | undefined, limit: number): Promise<OidcLogEntry[]>;
  /** Hears the appends to `name` until closed. Resolves once subscribed. */
  subscribe(name: string, listener: OidcLogListener): Promise<OidcLogSubscription>;
}

export interface OidcLogSubscription {
  close(): Promise<void>;
}
