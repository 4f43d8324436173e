import { Redis } from 'ioredis';
import type { OidcStore } from '../../../lib/index.js';
import { RedisStore } from '../../../lib/redis/index.js';
import { SettingsError } from './auth-settings.js';

/** The module's store when replicas share one, and how to let go of its connection. */
export interface SharedStore {
  store: OidcStore;
  close(): void;
}

/**
 * `REDIS_URL` (`redis://` or `rediss://`): what the module keeps between requests (introspection
 * answers, DPoP proofs seen) lives in that Redis, shared by every replica; unset, in memory.
 */
export function sharedStoreFrom(
  env: Readonly<Record<string, string | undefined>>,
): SharedStore | undefined {
  const url = env.REDIS_URL?.trim();
  if (!url) return undefined;
  let protocol: string | undefined;
  try {
    protocol = new URL(url).protocol;
  } catch {
    // reported below
  }
  if (protocol !== 'redis:' && protocol !== 'rediss:') {
    throw new SettingsError('REDIS_URL', 'must be a redis:// or rediss:// URL');
  }
  // One retry per command: the store's own timeout then turns an outage into a clear 503 quickly.
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  return {
    store: new RedisStore(client, { prefix: 'notes:' }),
    close: () => client.disconnect(),
  };
}
