import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { OidcAuthModule, type OidcAuthModuleOptions } from '../../../lib/index.js';
import { RedisStore } from '../../../lib/redis/index.js';
import { dpopKey, makeProof } from '../../support/dpop.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { RedisReplicas } from '../../support/redis-replicas.js';
import { suiteFixture } from '../../support/suite-fixture.js';

// Both replicas sit behind one load balancer that forwards the public scheme and host.
const PUBLIC = 'https://api.example.com';
const FORWARDED = { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'api.example.com' };

describe('DPoP replay store in Redis, two replicas', () => {
  let replicas: RedisReplicas;
  const key = suiteFixture(() => dpopKey('ES256'));

  beforeAll(async () => {
    replicas = await RedisReplicas.start();
  });

  afterAll(() => replicas.close());

  const replica = (
    dpop: OidcAuthModuleOptions['dpop'] = {},
    logger: RecordingLogger | false = false,
  ) =>
    replicas.replica(
      (client) => ({
        imports: [
          OidcAuthModule.forRoot({
            issuers: [replicas.issuer.issuerOptions()],
            audit: { log: false },
            store: new RedisStore(client, { timeoutMs: 200 }),
            dpop: { trustProxy: true, ...dpop },
          }),
        ],
      }),
      logger,
    );

  async function call(app: INestApplication, token: string, proof: string) {
    return request(app.getHttpServer())
      .get('/notes')
      .set(FORWARDED)
      .set('Authorization', `DPoP ${token}`)
      .set('DPoP', proof);
  }

  const token = () => replicas.issuer.mint({ scope: 'notes:read', cnf: { jkt: key.thumbprint } });
  const proofFor = (t: string) =>
    makeProof(key, { htm: 'GET', htu: `${PUBLIC}/notes`, accessToken: t });

  it('refuses on one replica a proof the other one accepted', async () => {
    const [first, second] = [await replica(), await replica()];
    const t = await token();
    const proof = await proofFor(t);
    expect((await call(first, t, proof)).status).toBe(200);
    const replayed = await call(second, t, proof);
    expect(replayed.status).toBe(401);
    expect(replayed.body.message).toBe('The DPoP proof was used before');
    expect((await call(second, t, await proofFor(t))).status).toBe(200);
    const keys = await replicas.clients[0].keys('oidc:dpop:*');
    expect(keys.length).toBeGreaterThanOrEqual(2);
    expect(await replicas.clients[0].pttl(keys[0])).toBeGreaterThan(290_000);
  });

  it("answers 503 with Retry-After while Redis hangs (onStoreFailure 'refuse', the default), and recovers", async () => {
    const logger = new RecordingLogger();
    const app = await replica({}, logger);
    const t = await token();
    expect((await call(app, t, await proofFor(t))).status).toBe(200);
    replicas.redis.pause();
    try {
      const refused = await call(app, t, await proofFor(t));
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('5');
      expect(refused.body.message).toBe('The DPoP replay store is temporarily unavailable');
      expect(logger.lines.join('\n')).toMatch(
        /warn The DPoP replay store failed .*refusing DPoP requests with 503/,
      );
      // Bearer requests need no replay store and go on being served.
      const bearer = await replicas.issuer.mint({ scope: 'notes:read' });
      await request(app.getHttpServer())
        .get('/notes')
        .set('Authorization', `Bearer ${bearer}`)
        .expect(200);
    } finally {
      replicas.redis.resume();
    }
    expect((await call(app, t, await proofFor(t))).status).toBe(200);
  });

  it("falls back to this replica's memory while Redis hangs (onStoreFailure 'local'), still refusing replays there", async () => {
    const logger = new RecordingLogger();
    const app = await replica({ onStoreFailure: 'local' }, logger);
    const t = await token();
    replicas.redis.pause();
    let proof: string;
    try {
      proof = await proofFor(t);
      expect((await call(app, t, proof)).status).toBe(200);
      const replayed = await call(app, t, proof);
      expect(replayed.status).toBe(401);
      expect(replayed.body.message).toBe('The DPoP proof was used before');
      const warnings = logger.lines.filter((l) => l.includes('replay store failed'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/in this process only/);
    } finally {
      replicas.redis.resume();
    }
    // Redis is back but never heard of the proof: this replica still remembers it.
    expect((await call(app, t, proof)).status).toBe(401);
  });
});
