import type { INestApplication } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import request from 'supertest';
import { OidcAuthModule } from '../../../lib/index.js';
import { LocalIssuer } from '../../../lib/testing/index.js';
import { shareNestWithCommonJsPeers } from '../../support/cjs-nest-peers.js';
import { LocalRedis } from '../../support/redis-server.js';
import { initApp, TEST_CONTROLLERS } from '../../support/test-app.js';

shareNestWithCommonJsPeers();
const { ThrottlerModule } = await import('@nestjs/throttler');
const { ThrottlerStorageRedisService } = await import('@nest-lab/throttler-storage-redis');
const { OidcThrottlerGuard } = await import('../../../lib/throttler/index.js');

const LIMIT = 4;

describe('per-caller rate limits across replicas (Redis storage)', () => {
  let redis: LocalRedis;
  let issuer: LocalIssuer;
  const apps: INestApplication[] = [];
  const clients: Redis[] = [];

  beforeAll(async () => {
    redis = await LocalRedis.start();
    issuer = await LocalIssuer.start();
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    // The storage leaves a connection it was given to its owner.
    clients.forEach((client) => client.disconnect());
    await issuer.close();
    await redis.stop();
  });

  // Each replica has its own Redis connection, as separate processes would.
  async function replica(): Promise<INestApplication> {
    const client = new Redis({ host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: 1 });
    clients.push(client);
    const ref = await Test.createTestingModule({
      imports: [
        OidcAuthModule.forRoot({ issuers: [{ issuer: issuer.issuer, audience: issuer.audience }] }),
        ThrottlerModule.forRoot({
          throttlers: [{ ttl: 60_000, limit: LIMIT }],
          storage: new ThrottlerStorageRedisService(client),
        }),
      ],
      controllers: TEST_CONTROLLERS,
      providers: [{ provide: APP_GUARD, useClass: OidcThrottlerGuard }],
    }).compile();
    const app = await initApp(ref, 'express');
    apps.push(app);
    return app;
  }

  it("shares one caller's budget between two instances, and keeps callers apart", async () => {
    const [first, second] = [await replica(), await replica()];
    const alice = await issuer.mintToken({ sub: 'alice' });
    const bob = await issuer.mintToken({ sub: 'bob' });
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
