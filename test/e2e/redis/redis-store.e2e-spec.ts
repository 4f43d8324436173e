import { Redis } from 'ioredis';
import { OidcAuthConfigError } from '../../../lib/index.js';
import { RedisStore } from '../../../lib/redis/index.js';
import { LocalRedis } from '../../support/redis-server.js';

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

  function client(port = redis.port): Redis {
    const created = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1 });
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

  it('refuses a timeout that is not a positive number', () => {
    expect(() => new RedisStore(client(), { timeoutMs: 0 })).toThrow(OidcAuthConfigError);
  });
});
