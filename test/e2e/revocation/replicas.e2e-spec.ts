import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import {
  OidcAuthModule,
  OidcRevocations,
  type RevocationReplicasOptions,
} from '../../../lib/index.js';
import { RedisStore } from '../../../lib/redis/index.js';
import { LocalIssuer } from '../../../lib/testing/index.js';
import { LocalIntrospectionEndpoint } from '../../support/introspection-endpoint.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { RedisReplicas } from '../../support/redis-replicas.js';
import { PLATFORMS } from '../../support/test-app.js';

const RECEIVER = 'https://api.example/ssf';
const CLIENT = { clientId: 'notes-api', clientSecret: 'notes-api-secret' };
const PUSH_AUTHORIZATION = 'Bearer push-secret-0123456789';
const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';

const nowSeconds = () => Math.floor(Date.now() / 1000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(PLATFORMS)(
  'the revocation list across replicas (%s, one redis-server)',
  (platform) => {
    let replicas: RedisReplicas;
    let transmitter: LocalIssuer;
    let endpoint: LocalIntrospectionEndpoint;

    beforeAll(async () => {
      replicas = await RedisReplicas.start();
      transmitter = await LocalIssuer.start();
      endpoint = await LocalIntrospectionEndpoint.start();
      endpoint.credentials = CLIENT;
    });

    afterAll(async () => {
      await replicas.close();
      await transmitter.close();
      await endpoint.stop();
    });

    // Resync and staleness in fractions of a second, so that the suite waits little.
    const replica = (
      options: RevocationReplicasOptions = {},
      logger: RecordingLogger | false = false,
    ) =>
      replicas.replica(
        (client) => ({
          imports: [
            OidcAuthModule.forRoot({
              // Opaque tokens are introspected (their results cached in Redis); JWTs verified.
              issuers: [
                replicas.issuer.issuerOptions({
                  introspection: { ...CLIENT, endpoint: endpoint.url },
                }),
              ],
              store: new RedisStore(client, { timeoutMs: 200 }),
              warmUp: false,
              refusalLogIntervalMs: 0,
              revocation: {
                maxTokenLifetimeSeconds: 3600,
                push: {},
                transmitters: [
                  {
                    issuer: transmitter.issuer,
                    jwksUri: transmitter.jwksUri,
                    audience: RECEIVER,
                    pushAuthorization: PUSH_AUTHORIZATION,
                    tokenIssuers: [replicas.issuer.issuer],
                  },
                ],
                replicas: {
                  resyncIntervalSeconds: 0.2,
                  maxStalenessSeconds: 1,
                  loadTimeoutSeconds: 2,
                  ...options,
                },
              },
            }),
          ],
        }),
        logger,
        platform,
      );

    const me = (app: INestApplication, token: string) =>
      request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`);

    const token = (sub: string) => replicas.issuer.mint({ sub, iat: nowSeconds() - 10 });

    const sessionRevoked = (sub: string) =>
      transmitter.signRaw(
        { typ: 'secevent+jwt' },
        {
          iss: transmitter.issuer,
          aud: RECEIVER,
          iat: nowSeconds(),
          jti: `jti-${Math.random().toString(36).slice(2)}`,
          sub_id: { format: 'iss_sub', iss: replicas.issuer.issuer, sub },
          events: { [SESSION_REVOKED]: {} },
        },
      );

    const push = async (app: INestApplication, sub: string) =>
      request(app.getHttpServer())
        .post('/ssf/events')
        .set('Authorization', PUSH_AUTHORIZATION)
        .set('Content-Type', 'application/secevent+jwt')
        .send(await sessionRevoked(sub));

    /** The first answer of `app` to `token` with `status`, asked every 20 ms for `withinMs`. */
    async function firstAnswer(
      app: INestApplication,
      token: string,
      status: number,
      withinMs: number,
    ) {
      const deadline = Date.now() + withinMs;
      for (;;) {
        const answer = await me(app, token);
        if (answer.status === status || Date.now() > deadline) return answer;
        await sleep(20);
      }
    }

    it('refuses on replica B, within a second, a token whose session was pushed as revoked to replica A', async () => {
      const [a, b] = [await replica(), await replica()];
      const bob = await token('push-user');
      for (let i = 0; i < 2; i += 1) expect((await me(b, bob)).status).toBe(200);
      const pushed = Date.now();
      expect((await push(a, 'push-user')).status).toBe(202);
      const refused = await firstAnswer(b, bob, 401, 1000);
      expect(refused.status).toBe(401);
      expect(Date.now() - pushed).toBeLessThan(1000);
      expect(refused.headers['www-authenticate']).toContain(
        'The token was revoked (session-revoked)',
      );
      expect((await me(b, await token('someone-else'))).status).toBe(200);
    });

    it('shares what the application revokes and restores through OidcRevocations on another replica', async () => {
      const [a, b] = [await replica(), await replica()];
      const carol = await token('api-user');
      expect((await me(b, carol)).status).toBe(200);
      await a.get(OidcRevocations).revokeSubject(replicas.issuer.issuer, 'api-user');
      const refused = await firstAnswer(b, carol, 401, 1000);
      expect(refused.headers['www-authenticate']).toContain('(subject-revoked)');
      expect(
        await a.get(OidcRevocations).restore('subject', replicas.issuer.issuer, 'api-user'),
      ).toBe(true);
      expect((await firstAnswer(b, carol, 200, 1000)).status).toBe(200);
    });

    it('catches up by its resync with a revocation whose message it never heard', async () => {
      const b = await replica();
      const dave = await token('missed-user');
      expect((await me(b, dave)).status).toBe(200);
      // Appended to the log without the pub/sub message that goes with it: a message lost.
      await replicas.clients[0].xadd(
        'oidc:log:revocations',
        '*',
        'v',
        JSON.stringify([
          {
            action: 'revoke',
            target: { scope: 'subject', issuer: replicas.issuer.issuer, value: 'missed-user' },
            notBefore: nowSeconds(),
            basis: 'iat',
            cause: 'subject-revoked',
          },
        ]),
      );
      const refused = await firstAnswer(b, dave, 401, 2000);
      expect(refused.status).toBe(401);
      expect(refused.headers['www-authenticate']).toContain('(subject-revoked)');
    });

    it('refuses on replica B the cached introspection result of an opaque token whose client was revoked on A', async () => {
      const [a, b] = [await replica(), await replica()];
      const now = nowSeconds();
      const opaque = endpoint.issue({
        iss: replicas.issuer.issuer,
        aud: replicas.issuer.audience,
        sub: 'opaque-user',
        client_id: 'opaque-client',
        iat: now - 10,
        exp: now + 300,
      });
      expect((await me(a, opaque)).status).toBe(200);
      expect((await me(b, opaque)).status).toBe(200);
      const calls = endpoint.calls;
      await a.get(OidcRevocations).revokeClient(replicas.issuer.issuer, 'opaque-client');
      const refused = await firstAnswer(b, opaque, 401, 1000);
      expect(refused.headers['www-authenticate']).toContain('(client-revoked)');
      // The shared cached result, still active, was refused without asking the endpoint again.
      expect(endpoint.calls).toBe(calls);
    });

    it('loads the list before a replica started later answers its first request', async () => {
      const a = await replica();
      await a.get(OidcRevocations).revokeSession(replicas.issuer.issuer, 'late-session');
      expect((await push(a, 'late-user')).status).toBe(202);
      const late = await replica();
      const erin = await replicas.issuer.mint({
        sub: 'x',
        sid: 'late-session',
        iat: nowSeconds() - 10,
      });
      expect((await me(late, erin)).status).toBe(401);
      expect((await me(late, await token('late-user'))).status).toBe(401);
      expect((await me(late, await token('not-revoked'))).status).toBe(200);
    });

    it('keeps enforcing what it holds while Redis is down, answers 503 to the rest once stale (or accepts by option), and is current again after Redis is back', async () => {
      const a = await replica();
      const b = await replica();
      const warnings = new RecordingLogger();
      const lenient = await replica({ whenStale: 'accept' }, warnings);
      await a.get(OidcRevocations).revokeSubject(replicas.issuer.issuer, 'outage-revoked');
      const revoked = await token('outage-revoked');
      const fine = await token('outage-fine');
      expect((await firstAnswer(b, revoked, 401, 1000)).status).toBe(401);
      expect((await me(b, fine)).status).toBe(200);

      await replicas.redis.stop();
      const unavailable = await firstAnswer(b, fine, 503, 3000);
      expect(unavailable.status).toBe(503);
      expect(unavailable.headers['retry-after']).toBe('1');
      expect(unavailable.body).toMatchObject({
        message: 'Whether the token was revoked cannot be checked right now',
      });
      expect((await me(b, revoked)).status).toBe(401);
      expect((await me(lenient, fine)).status).toBe(200);
      expect((await me(lenient, revoked)).status).toBe(401);
      expect(warnings.lines).toContainEqual(
        expect.stringContaining('warn The revocation list cannot be read from the store'),
      );
      // Revoked here all the same, and said not to be shared.
      await expect(
        b.get(OidcRevocations).revokeSubject(replicas.issuer.issuer, 'outage-fine'),
      ).rejects.toThrow(
        /^Revoked on this replica only: the shared store could not take the change \(.+\)$/,
      );
      expect((await me(b, fine)).status).toBe(401);
      // A replica started now waits for its load at most loadTimeoutSeconds, then answers 503.
      const started = Date.now();
      // (Nest's logger is one per process: the last application's takes every line from now on.)
      const cold = await replica({ loadTimeoutSeconds: 0.5 }, warnings);
      expect(Date.now() - started).toBeLessThan(3000);
      const other = await token('outage-other');
      expect((await me(cold, other)).status).toBe(503);
      expect(warnings.lines).toContainEqual(
        expect.stringContaining(
          'error The revocation list could not be loaded from the store within 500 ms',
        ),
      );

      await replicas.restartRedis();
      expect((await firstAnswer(b, other, 200, 5000)).status).toBe(200);
      expect((await firstAnswer(cold, other, 200, 5000)).status).toBe(200);
      expect((await me(b, revoked)).status).toBe(401);
      const current = 'log The revocation list is read from the store again';
      for (let i = 0; i < 50 && !warnings.lines.some((l) => l.startsWith(current)); i += 1) {
        await sleep(100);
      }
      expect(warnings.lines).toContainEqual(expect.stringContaining(current));
    });
  },
);
