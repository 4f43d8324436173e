import { Controller, Get, type INestApplication, UseGuards } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { OidcAuthGuard, OidcAuthModule } from '../../../lib/index.js';
import { LocalIssuer } from '../../../lib/testing/index.js';
import { shareNestWithCommonJsPeers } from '../../support/cjs-nest-peers.js';
import { PLATFORMS, type Platform, TEST_CONTROLLERS } from '../../support/test-app.js';
import { trusted } from '../../support/trusted.js';

shareNestWithCommonJsPeers();
const { ThrottlerModule } = await import('@nestjs/throttler');
const { OidcThrottlerGuard } = await import('../../../lib/throttler/index.js');

const LIMIT = 3;

// Behind a proxy, as production APIs are, so that X-Forwarded-For stands for distinct addresses.
async function throttledApp(issuer: LocalIssuer, platform: Platform): Promise<INestApplication> {
  const ref = await Test.createTestingModule({
    imports: [
      OidcAuthModule.forRoot({ issuers: trusted(issuer) }),
      ThrottlerModule.forRoot({ throttlers: [{ ttl: 60_000, limit: LIMIT }] }),
    ],
    controllers: TEST_CONTROLLERS,
    providers: [{ provide: APP_GUARD, useClass: OidcThrottlerGuard }],
  }).compile();
  if (platform === 'fastify') {
    const app = ref.createNestApplication<NestFastifyApplication>(
      new FastifyAdapter({ trustProxy: true }),
      { logger: false },
    );
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    return app;
  }
  const app = ref.createNestApplication<NestExpressApplication>({ logger: false });
  app.set('trust proxy', true);
  await app.init();
  return app;
}

describe.each(PLATFORMS)('per-caller rate limits (OidcThrottlerGuard) (%s)', (platform) => {
  let issuer: LocalIssuer;
  let app: INestApplication;

  beforeEach(async () => {
    issuer = await LocalIssuer.start();
    app = await throttledApp(issuer, platform);
  });

  afterEach(async () => {
    await app.close();
    await issuer.close();
  });

  const me = (token: string, ip = '198.51.100.1') =>
    request(app.getHttpServer())
      .get('/me')
      .set('Authorization', `Bearer ${token}`)
      .set('X-Forwarded-For', ip);

  const statuses = async (calls: Array<() => PromiseLike<{ status: number }>>) => {
    const result: number[] = [];
    for (const call of calls) result.push((await call()).status);
    return result;
  };

  it('gives each client its own budget: one exhausting it does not touch the other', async () => {
    const a = await issuer.mintToken({ appOnly: true, clientId: 'client-a' });
    const b = await issuer.mintToken({ appOnly: true, clientId: 'client-b' });
    expect(await statuses(Array.from({ length: LIMIT + 1 }, () => () => me(a)))).toEqual([
      200, 200, 200, 429,
    ]);
    expect(await statuses([() => me(b)])).toEqual([200]);
  });

  it('counts one token sent from many addresses as one caller', async () => {
    const token = await issuer.mintToken({ sub: 'alice' });
    const ips = ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4'];
    expect(await statuses(ips.map((ip) => () => me(token, ip)))).toEqual([200, 200, 200, 429]);
  });

  it('keys users by issuer and subject: a fresh token of the same user shares the budget', async () => {
    const first = await issuer.mintToken({ sub: 'bob', clientId: 'web' });
    const second = await issuer.mintToken({ sub: 'bob', clientId: 'mobile' });
    const other = await issuer.mintToken({ sub: 'carol', clientId: 'web' });
    expect(
      await statuses([() => me(first), () => me(second), () => me(first), () => me(second)]),
    ).toEqual([200, 200, 200, 429]);
    expect(await statuses([() => me(other)])).toEqual([200]);
  });

  it('answers 429 with Retry-After in seconds', async () => {
    const token = await issuer.mintToken({ sub: 'dave' });
    for (let i = 0; i < LIMIT; i++) await me(token);
    const res = await me(token);
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  it('counts public routes per IP address', async () => {
    const open = (ip: string) => () =>
      request(app.getHttpServer()).get('/health').set('X-Forwarded-For', ip);
    const calls = Array.from({ length: LIMIT + 1 }, () => open('192.0.2.7'));
    expect(await statuses(calls)).toEqual([200, 200, 200, 429]);
    expect(await statuses([open('192.0.2.8')])).toEqual([200]);
  });

  it('answers refusals before counting: a bad token keeps getting 401, never 429', async () => {
    const calls = Array.from({ length: LIMIT + 2 }, () => () => me('not-a-jwt'));
    expect(await statuses(calls)).toEqual(Array(LIMIT + 2).fill(401));
  });
});

@Controller('guarded')
class GuardedController {
  @UseGuards(OidcAuthGuard, OidcThrottlerGuard)
  @Get()
  guarded() {
    return { ok: true };
  }

  // No guard of its own: with `globalGuard: false` nothing authenticates it.
  @Get('open')
  open() {
    return { ok: true };
  }
}

describe('per-caller rate limits with globalGuard: false', () => {
  let issuer: LocalIssuer;
  let app: INestApplication;

  beforeEach(async () => {
    issuer = await LocalIssuer.start();
    const ref = await Test.createTestingModule({
      imports: [
        OidcAuthModule.forRoot({
          issuers: trusted(issuer),
          globalGuard: false,
        }),
        ThrottlerModule.forRoot({ throttlers: [{ ttl: 60_000, limit: LIMIT }] }),
      ],
      controllers: [GuardedController],
    }).compile();
    app = ref.createNestApplication({ logger: false });
    await app.init();
  });

  afterEach(async () => {
    await app.close();
    await issuer.close();
  });

  it('keys by caller when listed after OidcAuthGuard, and authenticates nothing itself', async () => {
    const get = (token: string) =>
      request(app.getHttpServer()).get('/guarded').set('Authorization', `Bearer ${token}`);
    const alice = await issuer.mintToken({ sub: 'alice' });
    const bob = await issuer.mintToken({ sub: 'bob' });
    const statuses: number[] = [];
    for (let i = 0; i <= LIMIT; i++) statuses.push((await get(alice)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const other = await get(bob);
    expect([other.status, other.body]).toEqual([200, { ok: true }]);
    expect((await request(app.getHttpServer()).get('/guarded')).status).toBe(401);
    const open = await request(app.getHttpServer()).get('/guarded/open');
    expect([open.status, open.body]).toEqual([200, { ok: true }]);
  });
});
