import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { OidcAuthModule } from '../../../lib/index.js';
import { RedisStore } from '../../../lib/redis/index.js';
import { LocalIntrospectionEndpoint } from '../../support/introspection-endpoint.js';
import { RedisReplicas } from '../../support/redis-replicas.js';

describe('introspection results shared across replicas (RedisStore)', () => {
  let replicas: RedisReplicas;
  let endpoint: LocalIntrospectionEndpoint;

  beforeAll(async () => {
    replicas = await RedisReplicas.start();
    endpoint = await LocalIntrospectionEndpoint.start();
  });

  afterAll(async () => {
    await replicas.close();
    await endpoint.stop();
  });

  const replica = () =>
    replicas.replica((client) => ({
      imports: [
        OidcAuthModule.forRoot({
          issuers: [
            replicas.issuer.issuerOptions({
              introspection: { clientId: 'api', clientSecret: 's', endpoint: endpoint.url },
            }),
          ],
          store: new RedisStore(client, { timeoutMs: 200 }),
          warmUp: false,
        }),
      ],
    }));

  const me = (app: INestApplication, token: string) =>
    request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`);

  const token = () =>
    endpoint.issue({
      iss: replicas.issuer.issuer,
      aud: replicas.issuer.audience,
      sub: 'user-1',
      exp: Math.floor(Date.now() / 1000) + 300,
    });

  it('introspects a token once for two instances, keyed by its hash', async () => {
    const [first, second] = [await replica(), await replica()];
    const opaque = token();
    expect((await me(first, opaque)).status).toBe(200);
    expect((await me(second, opaque)).status).toBe(200);
    expect((await me(first, opaque)).status).toBe(200);
    expect(endpoint.calls).toBe(1);
    const keys = await replicas.clients[0].keys('*');
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/introspection:[A-Za-z0-9_-]{43}$/);
    expect(keys[0]).not.toContain(opaque);
    const ttl = await replicas.clients[0].pttl(keys[0]);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('introspects without the cache while Redis hangs (no 503), and uses it again afterwards', async () => {
    const app = await replica();
    const opaque = token();
    const before = endpoint.calls;
    replicas.redis.pause();
    try {
      expect((await me(app, opaque)).status).toBe(200);
    } finally {
      replicas.redis.resume();
    }
    expect(endpoint.calls).toBe(before + 1);
    // The write that timed out during the pause lands once Redis wakes up (ioredis queued it): the
    // result is then served from the cache, as any replica would find it.
    expect((await me(app, opaque)).status).toBe(200);
    expect((await me(app, opaque)).status).toBe(200);
    expect(endpoint.calls).toBe(before + 1);
  });
});
