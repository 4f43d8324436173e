import type { Cluster, Redis } from 'ioredis';
import type {
  OidcLogEntry,
  OidcLogListener,
  OidcLogSubscription,
  OidcSharedLog,
} from '../core/store/store.js';
import { within } from './within.js';

/**
 * Appends, drops the entries older than the time to live or beyond the bound, and publishes the
 * entry with the id of the one before it, all in one script: no other append comes between, so
 * that every subscriber hears the entries in the log's order and can tell when it missed one. The
 * channel is named as an argument, not a key: ioredis adds a client's `keyPrefix` to keys, never
 * to channels, and the subscriber's channel must match.
 */
const APPEND = `
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local previous = ''
if last[1] then previous = last[1][1] end
local id = redis.call('XADD', KEYS[1], 'MINID', '~', ARGV[2], '*', 'v', ARGV[1])
redis.call('XTRIM', KEYS[1], 'MAXLEN', '~', ARGV[3])
redis.call('PUBLISH', ARGV[4], id .. '\\n' .. previous .. '\\n' .. ARGV[1])
return id
`;

type StreamEntries = [id: string, fields: string[]][];

/**
 * The `OidcSharedLog` of the Redis store: a Redis stream per log (`<prefix>log:<name>`), and a
 * pub/sub channel of the same name that carries each append to the subscribed replicas.
 * Subscribing takes a connection of its own (a duplicate of the store's client), which the
 * subscription closes.
 */
export class RedisLog implements OidcSharedLog {
  constructor(
    private readonly client: Redis | Cluster,
    private readonly prefix: string,
    private readonly timeoutMs: number,
  ) {}

  async append(
    name: string,
    value: string,
    bounds: { ttlMs: number; maxEntries: number },
  ): Promise<string> {
    const oldest = Math.max(0, Date.now() - Math.ceil(bounds.ttlMs));
    const id = await within(
      this.client.eval(
        APPEND,
        1,
        this.key(name),
        value,
        String(oldest),
        String(bounds.maxEntries),
        this.key(name),
      ),
      this.timeoutMs,
    );
    return String(id);
  }

  async read(name: string, afterId: string | undefined, limit: number): Promise<OidcLogEntry[]> {
    const start = afterId === undefined ? '-' : `(${afterId}`;
    const entries = (await within(
      this.client.xrange(this.key(name), start, '+', 'COUNT', limit),
      this.timeoutMs,
    )) as StreamEntries;
    return entries.map(([id, fields]) => ({ id, value: valueOf(fields) }));
  }

  async subscribe(name: string, listener: OidcLogListener): Promise<OidcLogSubscription> {
    const channel = this.key(name);
    const subscriber = this.client.duplicate();
    // A subscriber's errors are its reconnections: the log's reader sees them as staleness.
    subscriber.on('error', () => undefined);
    subscriber.on('message', (from: string, message: string) => {
      if (from !== channel) return;
      const [id, previous, ...rest] = message.split('\n');
      listener.appended({ id, value: rest.join('\n') }, previous || undefined);
    });
    try {
      await within(subscriber.subscribe(channel), this.timeoutMs);
    } catch (err) {
      subscriber.disconnect();
      throw err;
    }
    // ioredis subscribes again by itself after a reconnection, then says it is ready.
    subscriber.on('ready', () => listener.ready());
    return {
      close: async () => {
        subscriber.disconnect();
        await Promise.resolve();
      },
    };
  }

  private key(name: string): string {
    return `${this.prefix}log:${name}`;
  }
}

function valueOf(fields: string[]): string {
  const at = fields.indexOf('v');
  return at >= 0 && at % 2 === 0 ? (fields[at + 1] ?? '') : '';
}
