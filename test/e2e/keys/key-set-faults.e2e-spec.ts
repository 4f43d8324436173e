import { jest } from '@jest/globals';
import { type INestApplication } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { LocalIssuer } from '../../../lib/testing/index.js';
import { appsOn, PLATFORMS } from '../../support/test-app.js';
import { trusted } from '../../support/trusted.js';

jest.setTimeout(30_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(PLATFORMS)('key-set faults: the issuer misbehaves (%s)', (platform) => {
  const appWith = appsOn(platform);
  let issuer: LocalIssuer;
  let app: INestApplication | undefined;

  beforeEach(async () => {
    issuer = await LocalIssuer.start();
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
    await issuer.close();
  });

  const start = async (timeoutMs = 500, warmUp = true) => {
    app = await appWith({
      issuers: trusted(issuer),
      keys: { cooldownMs: 200, timeoutMs },
      warmUp,
    });
  };

  const me = async (token?: string) =>
    request(app!.getHttpServer())
      .get('/me')
      .set('Authorization', `Bearer ${token ?? (await issuer.mint())}`);

  it.each(['truncated', 'huge', 'no-keys', 'http500', 'html'] as const)(
    'answers 503 with Retry-After while the key set is %s, then recovers by itself',
    async (fault) => {
      issuer.fault = fault;
      await start();
      const res = await me();
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toMatch(/^\d+$/);
      issuer.fault = 'none';
      await sleep(250);
      expect((await me()).status).toBe(200);
    },
  );

  it('does not follow a redirect to another host', async () => {
    let elsewhere = 0;
    const other: Server = createServer((_req, res) => {
      elsewhere += 1;
      res.end(JSON.stringify(issuer.jwks()));
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    issuer.redirectTo = `http://127.0.0.1:${(other.address() as AddressInfo).port}/jwks`;
    issuer.fault = 'redirect';
    await start();
    expect((await me()).status).toBe(503);
    expect(elsewhere).toBe(0);
    await new Promise<void>((resolve) => other.close(() => resolve()));
  });

  it('keeps serving cached keys through every fault', async () => {
    await start();
    const token = await issuer.mint();
    expect((await me(token)).status).toBe(200);
    for (const fault of ['truncated', 'huge', 'no-keys', 'http500', 'html', 'hang'] as const) {
      issuer.fault = fault;
      await sleep(250);
      // An unknown kid forces a refetch, which fails: the key may exist, so 503, not 401. The
      // known key must keep working.
      const unknown = await me(await issuer.mint({}, { kid: `unknown-${fault}` }));
      expect(unknown.status).toBe(503);
      expect(unknown.headers['retry-after']).toMatch(/^\d+$/);
      expect((await me(await issuer.mint())).status).toBe(200);
    }
  });

  it('answers a rotated-in kid 503 while the issuer is down, and 200 once it is back', async () => {
    await start();
    expect((await me()).status).toBe(200);
    const rotated = await issuer.addKey();
    const token = await issuer.mint({}, { kid: rotated });
    await issuer.stop();
    await sleep(250);
    const res = await me(token);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    await issuer.restart();
    await sleep(250);
    expect((await me(token)).status).toBe(200);
  });

  it('answers 503 before the fetch timeout when the issuer hangs, cold or for an unknown kid', async () => {
    issuer.fault = 'hang';
    // No warm-up: the first fetch starts with the first request.
    await start(8_000, false);
    let started = Date.now();
    const cold = await me();
    expect(cold.status).toBe(503);
    expect(cold.headers['retry-after']).toMatch(/^\d+$/);
    // The wait is bounded at about a second (keys.maxWaitMs); the fetch itself would take 8 s.
    expect(Date.now() - started).toBeLessThan(5_000);
    issuer.fault = 'none';
    await issuer.stop();
    await issuer.restart();
    await sleep(250);
    const token = await issuer.mint();
    expect((await me(token)).status).toBe(200);
    issuer.fault = 'hang';
    await sleep(250);
    started = Date.now();
    expect((await me(await issuer.mint({}, { kid: 'rotated-in' }))).status).toBe(503);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await me(token)).status).toBe(200);
  });

  it('skips keys of unsupported types and uses the supported one', async () => {
    issuer.extraJwks = [
      { kty: 'oct', k: 'c2VjcmV0', kid: 'symmetric' },
      { kty: 'OKP', crv: 'X25519', x: 'hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo', kid: 'ecdh' },
      { kty: 'RSA', kid: 'enc', use: 'enc', n: 'AQAB', e: 'AQAB' },
    ];
    await start();
    expect((await me()).status).toBe(200);
    expect((await me(await issuer.mint({}, { kid: 'symmetric' }))).status).toBe(401);
  });
});

describe.each(PLATFORMS)('a flood of unknown kids (%s)', (platform) => {
  const appWith = appsOn(platform);
  it('costs a handful of JWKS fetches, and a key rotated in during the flood is accepted within 10 s', async () => {
    const issuer = await LocalIssuer.start();
    // The default cooldown (5 s), as deployed.
    const app = await appWith({ issuers: trusted(issuer) });
    const server = app.getHttpServer();
    const payload = await issuer.mint();
    const fetchesBefore = issuer.requests.jwks;
    const forged = (i: number) => {
      const [h, p, s] = payload.split('.');
      const header = { ...JSON.parse(Buffer.from(h, 'base64url').toString()), kid: `random-${i}` };
      return `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${p}.${s}`;
    };
    let rotatedKid: string | undefined;
    let acceptedAfterMs: number | undefined;
    let rotatedAt = 0;
    const started = Date.now();
    for (let batch = 0; batch < 10 && acceptedAfterMs === undefined; batch += 1) {
      const statuses = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          request(server)
            .get('/me')
            .set('Authorization', `Bearer ${forged(batch * 100 + i)}`)
            .then((r) => r.status),
        ),
      );
      expect(new Set(statuses)).toEqual(new Set([401]));
      if (batch === 2) {
        rotatedKid = await issuer.addKey();
        rotatedAt = Date.now();
      }
      if (rotatedKid) {
        const res = await request(server)
          .get('/me')
          .set('Authorization', `Bearer ${await issuer.mint({}, { kid: rotatedKid })}`);
        if (res.status === 200) acceptedAfterMs = Date.now() - rotatedAt;
        else await sleep(1000);
      }
    }
    while (acceptedAfterMs === undefined && Date.now() - rotatedAt < 10_000) {
      await sleep(500);
      const res = await request(server)
        .get('/me')
        .set('Authorization', `Bearer ${await issuer.mint({}, { kid: rotatedKid })}`);
      if (res.status === 200) acceptedAfterMs = Date.now() - rotatedAt;
    }
    expect(acceptedAfterMs).toBeDefined();
    expect(acceptedAfterMs!).toBeLessThan(10_000);
    const elapsedS = (Date.now() - started) / 1000;
    // One refetch per 5 s cooldown at most, plus the one that found the rotated key.
    expect(issuer.requests.jwks - fetchesBefore).toBeLessThanOrEqual(Math.ceil(elapsedS / 5) + 1);
    await app.close();
    await issuer.close();
  });
});
