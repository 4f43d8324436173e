import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { type IssuerOptions, OidcAuthModule } from '../../../lib/index.js';
import { LocalIssuer } from '../../../lib/testing/index.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import {
  appsOn,
  createTestApp,
  initApp,
  PLATFORMS,
  TEST_CONTROLLERS,
} from '../../support/test-app.js';
import { passportController } from '../../support/passport-controller.js';

const PassportController = passportController();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An HTTP server on 127.0.0.1 that answers 404 to everything and counts what it was asked. */
async function countingServer(): Promise<{ server: Server; url: string; requests: () => number }> {
  let requests = 0;
  const server = createServer((_req, res) => {
    requests += 1;
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, requests: () => requests };
}

describe.each(PLATFORMS)('trust resolved at runtime (%s)', (platform) => {
  let tenantA: LocalIssuer;
  let tenantB: LocalIssuer;
  let tenants: Map<string, IssuerOptions>;
  let asked: string[];
  let app: INestApplication;

  const start = (ttlMs = 60_000) =>
    appsOn(platform)({
      issuers: [],
      issuerResolver: async (iss) => {
        asked.push(iss);
        return tenants.get(iss);
      },
      resolverCache: { ttlMs },
      warmUp: false,
    });

  const me = (token: string) =>
    request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`);

  beforeEach(async () => {
    [tenantA, tenantB] = await Promise.all([LocalIssuer.start(), LocalIssuer.start()]);
    tenants = new Map([tenantA, tenantB].map((t) => [t.issuer, t.issuerOptions()]));
    asked = [];
  });

  afterEach(async () => {
    await app?.close();
    await Promise.all([tenantA.close(), tenantB.close()]);
  });

  it("verifies each tenant with its own keys and not the other's", async () => {
    app = await start();
    expect((await me(await tenantA.mint({ sub: 'alice' }))).body.subject).toBe('alice');
    expect((await me(await tenantB.mint({ sub: 'bob' }))).body.subject).toBe('bob');
    // Tenant B's key signing a token that claims to be tenant A's.
    const forged = await tenantB.mint({ iss: tenantA.issuer }, { kid: tenantA.currentKid });
    const res = await me(forged);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(asked.sort()).toEqual([tenantA.issuer, tenantB.issuer].sort());
  });

  it('costs 1,000 tokens naming 1,000 unknown issuers at most 1,000 resolver calls and no HTTP request', async () => {
    app = await start();
    const unknown = await countingServer();
    try {
      const tokens = await Promise.all(
        Array.from({ length: 1000 }, (_, i) => tenantA.mint({ iss: `${unknown.url}/tenant-${i}` })),
      );
      for (let i = 0; i < tokens.length; i += 50) {
        const answers = await Promise.all(tokens.slice(i, i + 50).map(me));
        expect(answers.map((r) => r.status)).toEqual(answers.map(() => 401));
      }
      expect(asked.length).toBeLessThanOrEqual(1000);
      expect(new Set(asked).size).toBe(asked.length);
      expect(unknown.requests()).toBe(0);
      expect(tenantA.requests).toEqual({ discovery: 0, jwks: 0 });
    } finally {
      await new Promise((resolve) => unknown.server.close(resolve));
    }
  });

  it('refuses a removed tenant within the TTL, cached tokens included', async () => {
    app = await start(300);
    const token = await tenantA.mint();
    // Three times: the third answer comes from the verified-token cache.
    for (let i = 0; i < 3; i += 1) expect((await me(token)).status).toBe(200);
    tenants.delete(tenantA.issuer);
    await sleep(350);
    expect((await me(token)).status).toBe(401);
    expect((await me(await tenantA.mint())).status).toBe(401);
    expect((await me(await tenantB.mint())).status).toBe(200);
  });

  it("serves AuthGuard('oidc-auth') compositions with resolved issuers too", async () => {
    app = await createTestApp(
      OidcAuthModule.forRoot({
        issuers: [],
        issuerResolver: (iss) => tenants.get(iss),
        globalGuard: false,
        warmUp: false,
      }),
      { controllers: [PassportController] },
      platform,
    );
    const passport = (token: string) =>
      request(app.getHttpServer()).get('/passport').set('Authorization', `Bearer ${token}`);
    const ok = await passport(await tenantB.mint({ sub: 'carol' }));
    expect(ok.body).toEqual({ subject: 'carol' });
    tenants.delete(tenantA.issuer);
    expect((await passport(await tenantA.mint())).status).toBe(401);
  });

  it('answers 503 with Retry-After, not 401 or 500, while the resolver fails, and logs why', async () => {
    const ref = await Test.createTestingModule({
      imports: [
        OidcAuthModule.forRoot({
          issuers: [],
          issuerResolver: () => Promise.reject(new Error('tenant database down')),
          warmUp: false,
        }),
      ],
      controllers: TEST_CONTROLLERS,
    }).compile();
    const logger = new RecordingLogger();
    app = await initApp(ref, platform, logger);
    const res = await me(await tenantA.mint());
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(JSON.stringify(res.body)).not.toContain('database');
    expect(logger.lines).toContain(
      `error issuerResolver failed for ${tenantA.issuer}: tenant database down`,
    );
  });

  it('refuses a token when the resolver answers with an unusable entry, and logs why', async () => {
    const ref = await Test.createTestingModule({
      imports: [
        OidcAuthModule.forRoot({
          issuers: [],
          issuerResolver: (iss) => ({ issuer: iss, audience: [] }),
          warmUp: false,
        }),
      ],
      controllers: TEST_CONTROLLERS,
    }).compile();
    const logger = new RecordingLogger();
    app = await initApp(ref, platform, logger);
    expect((await me(await tenantA.mint())).status).toBe(401);
    expect(logger.messages()).toContainEqual(
      expect.stringMatching(/^issuerResolver gave an unusable entry for .*\.audience is required/),
    );
    expect(tenantA.requests).toEqual({ discovery: 0, jwks: 0 });
  });
});
