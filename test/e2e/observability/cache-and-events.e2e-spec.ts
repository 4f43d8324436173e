import { type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  type AuthEvent,
  OidcAuthEvents,
  OidcAuthModule,
  type OidcAuthModuleOptions,
} from '../../../lib/index.js';
import { LocalIssuer } from '../../../lib/testing/index.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { initApp, PLATFORMS, TEST_CONTROLLERS } from '../../support/test-app.js';
import { trusted } from '../../support/trusted.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(PLATFORMS)('verified-token cache, refusal logs and events (%s)', (platform) => {
  let issuer: LocalIssuer;
  let app: INestApplication;
  let logger: RecordingLogger;
  let events: AuthEvent[];

  async function start(extra: Partial<OidcAuthModuleOptions> = {}) {
    const ref = await Test.createTestingModule({
      imports: [
        OidcAuthModule.forRoot({
          issuers: trusted(issuer),
          keys: { cooldownMs: 200 },
          ...extra,
        }),
      ],
      controllers: TEST_CONTROLLERS,
    }).compile();
    logger = new RecordingLogger();
    app = await initApp(ref, platform, logger);
    events = [];
    app.get(OidcAuthEvents).events$.subscribe((e) => events.push(e));
  }

  beforeEach(async () => {
    issuer = await LocalIssuer.start();
  });

  afterEach(async () => {
    await app.close();
    await issuer.close();
  });

  const call = (method: 'get' | 'post', path: string, token: string) =>
    request(app.getHttpServer())[method](path).set('Authorization', `Bearer ${token}`);

  it('serves a repeated token from the cache and still checks scopes every time', async () => {
    await start();
    const token = await issuer.mint({ scope: 'notes:read' });
    for (let i = 0; i < 3; i += 1) expect((await call('get', '/notes', token)).status).toBe(200);
    expect((await call('post', '/notes', token)).status).toBe(403);
    // Admitted on its second verification, served from the cache from the third request on.
    expect(events.map((e) => [e.outcome, e.cached ?? null, e.status ?? null])).toEqual([
      ['allowed', false, null],
      ['allowed', false, null],
      ['allowed', true, null],
      ['refused', null, 403],
    ]);
  });

  it('verifies every time when the cache is off', async () => {
    await start({ cache: { enabled: false } });
    const token = await issuer.mint();
    await call('get', '/me', token);
    await call('get', '/me', token);
    expect(events.map((e) => e.cached)).toEqual([false, false]);
  });

  it('drops cached tokens whose key the issuer stopped publishing', async () => {
    await start();
    const token = await issuer.mint();
    for (let i = 0; i < 3; i += 1) expect((await call('get', '/me', token)).status).toBe(200);
    expect(events.at(-1)?.cached).toBe(true);
    await issuer.addKey({ retire: true });
    await sleep(250);
    // A token with the new key makes the module refetch the key set, which no longer has the old key.
    expect((await call('get', '/me', await issuer.mint())).status).toBe(200);
    expect((await call('get', '/me', token)).status).toBe(401);
  });

  it('logs each refusal once with its reason and route, never the token', async () => {
    await start();
    const expired = await issuer.mint({ exp: Math.floor(Date.now() / 1000) - 3600 });
    const weak = await issuer.mint({ sub: 'bob', scope: 'notes:read' });
    await call('get', '/me', expired).expect(401);
    await call('post', '/notes', weak).expect(403);
    await request(app.getHttpServer()).get('/me').expect(401);
    const refusals = logger.messages().filter((l) => l.startsWith('Refused'));
    expect(refusals).toEqual([
      expect.stringMatching(
        /^Refused GET \/me with 401: token_expired \(issuer=http:\/\/127\.0\.0\.1:\d+\)$/,
      ),
      expect.stringMatching(
        /^Refused POST \/notes with 403: insufficient_scope \(issuer=\S+ subject=bob\)$/,
      ),
      'Refused GET /me with 401: missing_token',
    ]);
    for (const token of [expired, weak]) {
      for (const part of token.split('.')) {
        expect(logger.messages().join('\n')).not.toContain(part);
      }
    }
    expect(events.filter((e) => e.outcome === 'refused').map((e) => e.reason)).toEqual([
      'token_expired',
      'insufficient_scope',
      'missing_token',
    ]);
  });

  it('writes one line for a flood of refusals of one reason, and one event for each', async () => {
    await start();
    const forged = `${(await issuer.mint()).slice(0, -4)}AAAA`;
    for (let i = 0; i < 30; i += 1) await call('get', '/me', forged).expect(401);
    await request(app.getHttpServer()).get('/me').expect(401);
    expect(logger.messages().filter((l) => l.startsWith('Refused'))).toEqual([
      expect.stringMatching(/^Refused GET \/me with 401: signature_invalid \(issuer=\S+\)$/),
      'Refused GET /me with 401: missing_token',
    ]);
    const refused = events.filter((e) => e.outcome === 'refused').map((e) => e.reason);
    expect(refused).toHaveLength(31);
    expect(refused.filter((r) => r === 'signature_invalid')).toHaveLength(30);
  });
});
