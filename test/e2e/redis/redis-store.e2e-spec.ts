import { Redis } from 'ioredis';
import { OidcAuthConfigError } from '../../../lib/index.js';
import { RedisStore } from '../../../lib/redis/index.js';
import { LocalRedis } from '../../support/redis-server.js';

const LONG = { ttlMs: 60_000, maxEntries: 10_000 };

describe('RedisStore against a real redis-server', () => {
  let redis: LocalRedis;
  const clients: Redis[] = [];

  beforeAll(async () => {
    redis = await LocalRedis.start();
  });

  afterAll(async () => {
    clients.forEach((client) => client.disconnect());
    await redis.stop();
  });

  function client(port = redis.port, keyPrefix?: string): Redis {
    const created = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1, keyPrefix });
    clients.push(created);
    return created;
  }

  it('lets exactly one of two replicas racing on one key store it', async () => {
    const [first, second] = [new RedisStore(client()), new RedisStore(client())];
    for (let i = 0; i < 20; i++) {
      const won = await Promise.all([
        first.setIfAbsent(`race:${i}`, 'a', 10_000),
        second.setIfAbsent(`race:${i}`, 'b', 10_000),
      ]);
      expect(won.filter(Boolean)).toHaveLength(1);
    }
  });

  it('shares values between stores, expires them, and keeps prefixes apart', async () => {
    const connection = client();
    const store = new RedisStore(connection, { prefix: 'one:' });
    const other = new RedisStore(connection, { prefix: 'two:' });
    await store.set('k', 'v', 60_000);
    expect(await new RedisStore(client(), { prefix: 'one:' }).get('k')).toBe('v');
    expect(await other.get('k')).toBeUndefined();
    expect(await connection.get('one:k')).toBe('v');
    // The expiry is Redis's own (PX), so reading the TTL back proves it without racing a short one
    // against a loaded machine; the wait then shows the key really goes.
    await store.set('short', 'v', 150);
    expect(await connection.pttl('one:short')).toBeGreaterThan(0);
    expect(await connection.pttl('one:short')).toBeLessThanOrEqual(150);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await store.get('short')).toBeUndefined();
  });

  it('rejects within timeoutMs when Redis does not answer, rather than holding the caller', async () => {
    const store = new RedisStore(client(), { timeoutMs: 100 });
    await store.set('k', 'v', 60_000);
    redis.pause();
    try {
      await expect(store.setIfAbsent('k', 'v', 1_000)).rejects.toThrow(/no answer within 100 ms/);
      await expect(store.get('k')).rejects.toThrow(/no answer within 100 ms/);
    } finally {
      redis.resume();
    }
    expect(await store.get('k')).toBe('v');
  });

  it('shares a log: appends in order, heard by subscribers with the entry before, read again after any id', async () => {
    const writer = new RedisStore(client(), { prefix: 'log1:' });
    const reader = new RedisStore(client(), { prefix: 'log1:' });
    const heard: [string, string, string | undefined][] = [];
    let readies = 0;
    const subscription = await reader.log.subscribe('events', {
      appended: (entry, previousId) => heard.push([entry.id, entry.value, previousId]),
      ready: () => (readies += 1),
    });
    try {
      const first = await writer.log.append('events', 'one', LONG);
      const second = await writer.log.append('events', 'two\nlines', LONG);
      await writer.log.append('other', 'elsewhere', LONG);
      for (let i = 0; i < 50 && heard.length < 2; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(heard).toEqual([
        [first, 'one', undefined],
        [second, 'two\nlines', first],
      ]);
      expect(await reader.log.read('events', undefined, 10)).toEqual([
        { id: first, value: 'one' },
        { id: second, value: 'two\nlines' },
      ]);
      expect(await reader.log.read('events', first, 10)).toEqual([
        { id: second, value: 'two\nlines' },
      ]);
      expect(await reader.log.read('events', undefined, 1)).toHaveLength(1);
      expect(readies).toBe(0);
    } finally {
      await subscription.close();
    }
  });

  it("is heard through a client with ioredis's keyPrefix too (it prefixes keys, not channels)", async () => {
    const prefixed = client(redis.port, 'app:');
    const store = new RedisStore(prefixed, { prefix: 'log4:' });
    const heard: string[] = [];
    const subscription = await store.log.subscribe('events', {
      appended: (entry) => heard.push(entry.value),
      ready: () => undefined,
    });
    try {
      await store.log.append('events', 'prefixed', LONG);
      for (let i = 0; i < 50 && heard.length === 0; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(heard).toEqual(['prefixed']);
      expect(await store.log.read('events', undefined, 10)).toMatchObject([{ value: 'prefixed' }]);
      expect(await client().exists('app:log4:log:events')).toBe(1);
    } finally {
      await subscription.close();
    }
  });

  it('drops log entries older than the time to live at the next append', async () => {
    const store = new RedisStore(client(), { prefix: 'log2:' });
    // Enough entries for Redis to trim whole nodes of the stream (trimming is approximate).
    for (let i = 0; i < 300; i += 1) await store.log.append('old', `e${i}`, LONG);
    await new Promise((resolve) => setTimeout(resolve, 30));
    await store.log.append('old', 'last', { ttlMs: 10, maxEntries: 1000 });
    const kept = await store.log.read('old', undefined, 1000);
    expect(kept.length).toBeLessThan(300);
    expect(kept.at(-1)?.value).toBe('last');
  });

  it('keeps about the newest maxEntries log entries, whatever their age', async () => {
    const store = new RedisStore(client(), { prefix: 'log3:' });
    for (let i = 0; i < 500; i += 1) {
      await store.log.append('flood', `e${i}`, { ttlMs: 60_000, maxEntries: 100 });
    }
    const kept = await store.log.read('flood', undefined, 1000);
    // Trimmed by whole stream nodes (100 entries each): about the bound, never the whole flood.
    expect(kept.length).toBeGreaterThanOrEqual(100);
    expect(kept.length).toBeLessThanOrEqual(200);
    expect(kept.at(-1)?.value).toBe('e499');
  });

  it('refuses a timeout that is not a positive number', () => {
    expect(() => new RedisStore(client(), { timeoutMs: 0 })).toThrow(OidcAuthConfigError);
  });
});
