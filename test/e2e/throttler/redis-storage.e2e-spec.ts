import type { INestApplication } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import request from 'supertest';
import { OidcAuthModule } from '../../../lib/index.js';
import { shareNestWithCommonJsPeers } from '../../support/cjs-nest-peers.js';
import { RedisReplicas } from '../../support/redis-replicas.js';

shareNestWithCommonJsPeers();
const { ThrottlerModule } = await import('@nestjs/throttler');
const { ThrottlerStorageRedisService } = await import('@nest-lab/throttler-storage-redis');
const { OidcThrottlerGuard } = await import('../../../lib/throttler/index.js');

const LIMIT = 4;

describe('per-caller rate limits across replicas (Redis storage)', () => {
  let replicas: RedisReplicas;

  beforeAll(async () => {
    replicas = await RedisReplicas.start();
  });

  afterAll(() => replicas.close());

  const replica = () =>
    replicas.replica((client) => ({
      imports: [
        OidcAuthModule.forRoot({
          issuers: [{ issuer: replicas.issuer.issuer, audience: replicas.issuer.audience }],
        }),
        ThrottlerModule.forRoot({
          throttlers: [{ ttl: 60_000, limit: LIMIT }],
          storage: new ThrottlerStorageRedisService(client),
        }),
      ],
      providers: [{ provide: APP_GUARD, useClass: OidcThrottlerGuard }],
    }));

  it("shares one caller's budget between two instances, and keeps callers apart", async () => {
    const [first, second] = [await replica(), await replica()];
    const alice = await replicas.issuer.mintToken({ sub: 'alice' });
    const bob = await replicas.issuer.mintToken({ sub: 'bob' });
    const me = (app: INestApplication, token: string) =>
      request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`);

    const statuses: number[] = [];
    for (let i = 0; i <= LIMIT; i++)
      statuses.push((await me(i % 2 ? second : first, alice)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);

    const refused = await me(first, alice);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((await me(second, bob)).status).toBe(200);
  });
});
