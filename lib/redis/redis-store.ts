import type { Cluster, Redis } from 'ioredis';
import { OidcAuthConfigError } from '../core/config/config-error.js';
import type { OidcSharedLog, OidcStore } from '../core/store/store.js';
import { RedisLog } from './redis-log.js';
import { within } from './within.js';

export interface RedisStoreOptions {
  /** Prepended to every key, so that the module's keys stay apart from the application's. Default `oidc:`. */
  prefix?: string;
  /**
   * How long a command may take before the store counts as unavailable. Default 500 ms. ioredis
   * queues commands while it reconnects; without a bound, a Redis outage would hold every request
   * until the client gave up.
   */
  timeoutMs?: number;
}

/**
 * An `OidcStore` in Redis, shared by every replica that uses the same server: a DPoP proof
 * replayed to another replica is refused, an introspection result serves all of them, and a
 * revocation made on one reaches the others through its `log`. Give it
 * an ioredis client (a `Redis` or a `Cluster`) the application owns and closes.
 */
export class RedisStore implements OidcStore {
  private readonly prefix: string;
  private readonly timeoutMs: number;
  /** The revocation list's way to every replica: a Redis stream and a pub/sub channel. */
  readonly log: OidcSharedLog;

  constructor(
    private readonly client: Redis | Cluster,
    options: RedisStoreOptions = {},
  ) {
    this.prefix = options.prefix ?? 'oidc:';
    this.timeoutMs = options.timeoutMs ?? 500;
    if (!Number.isFinite(this.timeoutMs) || this.timeoutMs <= 0) {
      throw new OidcAuthConfigError(
        'RedisStore timeoutMs',
        'must be a positive number of milliseconds',
      );
    }
    this.log = new RedisLog(client, this.prefix, this.timeoutMs);
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    // SET NX PX is one atomic command: two replicas racing with one proof id cannot both win.
    const stored = await this.within(
      this.client.set(this.prefix + key, value, 'PX', ttlOf(ttlMs), 'NX'),
    );
    return stored === 'OK';
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.within(this.client.get(this.prefix + key))) ?? undefined;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.within(this.client.set(this.prefix + key, value, 'PX', ttlOf(ttlMs)));
  }

  private within<T>(command: Promise<T>): Promise<T> {
    return within(command, this.timeoutMs);
  }
}

// Redis refuses PX 0; a store entry always lasts at least a millisecond.
function ttlOf(ttlMs: number): number {
  return Math.max(1, Math.ceil(ttlMs));
}
