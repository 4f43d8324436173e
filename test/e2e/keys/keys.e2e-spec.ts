import { type INestApplication } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import request from 'supertest';
import { LocalIssuer } from '../../../lib/testing/index.js';
import { appWith, appsOn, PLATFORMS } from '../../support/test-app.js';
import { trusted } from '../../support/trusted.js';

const COOLDOWN_MS = 300;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(PLATFORMS)('signing keys (HTTP, local issuer) (%s)', (platform) => {
  const appWith = appsOn(platform);
  let issuer: LocalIssuer;
  let app: INestApplication;

  const startApp = async () => {
    app = await appWith({
      issuers: trusted(issuer),
      keys: { cooldownMs: COOLDOWN_MS, timeoutMs: 500 },
    });
  };

  beforeEach(async () => {
    issuer = await LocalIssuer.start();
  });

  afterEach(async () => {
    await app.close();
    await issuer.close();
  });

  const me = (token: string) =>
    request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`);

  it('fetches discovery and keys once, at bootstrap, and then serves from memory', async () => {
    await startApp();
    expect(issuer.requests).toEqual({ discovery: 1, jwks: 1 });
    for (let i = 0; i < 5; i += 1) expect((await me(await issuer.mint())).status).toBe(200);
    expect(issuer.requests).toEqual({ discovery: 1, jwks: 1 });
  });

  it('serves an issuer and its aliases (Google-style bare iss) from one key set, fetched once', async () => {
    app = await appWith({
      issuers: [{ issuer: issuer.issuer, issuerAliases: ['local-idp'], audience: issuer.audience }],
    });
    expect((await me(await issuer.mint({ iss: 'local-idp', sub: 'alice' }))).body).toMatchObject({
      subject: 'alice',
      issuer: issuer.issuer,
      claims: expect.objectContaining({ iss: 'local-idp' }),
    });
    expect((await me(await issuer.mint())).status).toBe(200);
    expect((await me(await issuer.mint({ iss: 'other-idp' }))).status).toBe(401);
    expect(issuer.requests).toEqual({ discovery: 1, jwks: 1 });
  });

  it('accepts a key rotated in after the cooldown, with one refetch', async () => {
    await startApp();
    expect((await me(await issuer.mint())).status).toBe(200);
    await issuer.addKey();
    await sleep(COOLDOWN_MS);
    expect((await me(await issuer.mint())).status).toBe(200);
    expect(issuer.requests.jwks).toBe(2);
  });

  it('keeps serving cached keys while the JWKS endpoint is down', async () => {
    await startApp();
    expect((await me(await issuer.mint())).status).toBe(200);
    await issuer.stop();
    await sleep(COOLDOWN_MS);
    // The kid may have been rotated in: it cannot be checked now, which is not the client's fault.
    expect((await me(await issuer.mint({}, { kid: 'rotated-away' }))).status).toBe(503);
    expect((await me(await issuer.mint())).status).toBe(200);
  });

  it('answers 503 with Retry-After when no keys were ever fetched, and recovers by itself', async () => {
    await issuer.stop();
    await startApp();
    const token = await issuer.mint();
    const res = await me(token);
    expect(res.status).toBe(503);
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(res.headers['www-authenticate']).toBeUndefined();
    expect(res.body.message).toMatch(/temporarily unavailable/);
    await issuer.restart();
    await sleep(COOLDOWN_MS);
    expect((await me(token)).status).toBe(200);
  });

  it('answers 503, not 401 or 500, while the issuer returns errors or HTML', async () => {
    issuer.fault = 'http500';
    await startApp();
    for (const fault of ['http500', 'html'] as const) {
      issuer.fault = fault;
      await sleep(COOLDOWN_MS);
      expect((await me(await issuer.mint())).status).toBe(503);
    }
    issuer.fault = 'none';
    await sleep(COOLDOWN_MS);
    expect((await me(await issuer.mint())).status).toBe(200);
  });

  it('answers 503 when the issuer hangs past the timeout', async () => {
    issuer.fault = 'hang';
    await startApp();
    const started = Date.now();
    expect((await me(await issuer.mint())).status).toBe(503);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  // 20 s: more than the 10 s its loop for the rotated key allows itself (Jest's default is 5 s).
  it('costs one fetch per cooldown under a flood of unknown kids, and still takes a rotated key', async () => {
    await startApp();
    expect((await me(await issuer.mint())).status).toBe(200);
    const before = issuer.requests.jwks;
    const started = Date.now();
    const flood = Array.from({ length: 200 }, (_, i) =>
      issuer.mint({}, { kid: `random-${i}` }).then((t) => me(t)),
    );
    const statuses = (await Promise.all(flood)).map((r) => r.status);
    const elapsed = Date.now() - started;
    expect(new Set(statuses)).toEqual(new Set([401]));
    // The promise is one fetch per cooldown, not per flood: a flood outlasting a cooldown (a busy
    // machine stretches 200 requests past 600 ms) may cost one more fetch each cooldown. Fetches
    // start at least a cooldown apart within the flood, and every one has ended with it (a 401
    // needs the fetch that made the key set current).
    expect(issuer.requests.jwks - before).toBeLessThanOrEqual(
      1 + Math.floor(elapsed / COOLDOWN_MS),
    );
    const kid = await issuer.addKey();
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      await me(await issuer.mint({}, { kid: `random-again-${Date.now()}` }));
      status = (await me(await issuer.mint({}, { kid }))).status;
      if (status !== 200) await sleep(50);
    }
    expect(status).toBe(200);
  }, 20_000);
});

describe('warm-up', () => {
  it('can be turned off, and can stop the application when the keys cannot be loaded', async () => {
    const issuer = await LocalIssuer.start();
    const options = { issuers: trusted(issuer) };
    const lazy = await appWith({ ...options, warmUp: false });
    expect(issuer.requests).toEqual({ discovery: 0, jwks: 0 });
    await lazy.close();
    await issuer.stop();
    const tolerant = await appWith(options);
    await tolerant.close();
    await expect(appWith({ ...options, failOnStartup: true })).rejects.toThrow(
      /OidcAuthModule: Could not load the signing keys of http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/,
    );
  });
});

describe.each(PLATFORMS)('discovery (%s)', (platform) => {
  const appWith = appsOn(platform);
  let impostor: Server;
  let impostorUrl: string;

  beforeAll(async () => {
    // Serves metadata naming a different issuer, as a hijacked or misconfigured endpoint would.
    impostor = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({ issuer: 'https://someone-else.example', jwks_uri: `${impostorUrl}/jwks` }),
      );
    });
    await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
    impostorUrl = `http://127.0.0.1:${(impostor.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => impostor.close(() => resolve())));

  /** The status of a call with `issuer`'s token, the issuer's metadata read at `discoveryBase`. */
  async function statusWithDiscoveryAt(issuer: LocalIssuer, discoveryBase: string) {
    const app = await appWith({
      issuers: [
        {
          issuer: issuer.issuer,
          audience: issuer.audience,
          discoveryUri: `${discoveryBase}/.well-known/openid-configuration`,
        },
      ],
    });
    const res = await request(app.getHttpServer())
      .get('/me')
      .set('Authorization', `Bearer ${await issuer.mint()}`);
    await app.close();
    return res.status;
  }

  it('refuses metadata whose issuer differs from the configured one (503, keys unavailable)', async () => {
    const issuer = await LocalIssuer.start();
    expect(await statusWithDiscoveryAt(issuer, impostorUrl)).toBe(503);
    await issuer.close();
  });

  it('reads metadata from an internal discovery URL and rewrites the public jwks_uri to it', async () => {
    const issuer = await LocalIssuer.start();
    const publicName = issuer.issuer.replace('127.0.0.1', 'localhost');
    expect(await statusWithDiscoveryAt(issuer, publicName)).toBe(200);
    await issuer.close();
  });
});
