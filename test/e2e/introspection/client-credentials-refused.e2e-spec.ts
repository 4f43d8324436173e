import { jest } from '@jest/globals';
import { type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { type AuthEvent, OidcAuthEvents, OidcAuthModule } from '../../../lib/index.js';
import { LocalIssuer } from '../../../lib/testing/index.js';
import { LocalIntrospectionEndpoint } from '../../support/introspection-endpoint.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { TestTelemetry } from '../../support/telemetry-sdk.js';
import { initApp, TEST_CONTROLLERS } from '../../support/test-app.js';

jest.setTimeout(30_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const INTERVAL_MS = 3_000;
const CLIENT_ID = 'notes-api';
const RIGHT_SECRET = 'notes-api-secret';
const WRONG_SECRET = 'wrong-secret-7f3a9c';

interface Tenant {
  issuer: LocalIssuer;
  endpoint: LocalIntrospectionEndpoint;
  prefix: string;
}

// The refusal is reported below the transports: one platform shows it.
describe('introspection refusing our own client credentials: what an operator sees', () => {
  let tenants: Tenant[];
  let telemetry: TestTelemetry;
  let logger: RecordingLogger;
  let events: AuthEvent[];
  let app: INestApplication;

  beforeEach(async () => {
    tenants = [];
    for (const prefix of ['a_', 'b_']) {
      const endpoint = await LocalIntrospectionEndpoint.start();
      endpoint.credentials = { clientId: CLIENT_ID, clientSecret: RIGHT_SECRET };
      tenants.push({ issuer: await LocalIssuer.start(), endpoint, prefix });
    }
    telemetry = TestTelemetry.register();
    logger = new RecordingLogger();
    const ref = await Test.createTestingModule({
      imports: [
        OidcAuthModule.forRoot({
          issuers: tenants.map(({ issuer, endpoint, prefix }) =>
            issuer.issuerOptions({
              introspection: {
                clientId: CLIENT_ID,
                clientSecret: WRONG_SECRET,
                endpoint: endpoint.url,
                tokenPrefixes: [prefix],
              },
            }),
          ),
          warmUp: false,
          refusalLogIntervalMs: INTERVAL_MS,
        }),
      ],
      controllers: TEST_CONTROLLERS,
    }).compile();
    app = await initApp(ref, 'express', logger);
    events = [];
    app.get(OidcAuthEvents).events$.subscribe((event) => events.push(event));
  });

  afterEach(async () => {
    await app.close();
    await telemetry.unregister();
    for (const { issuer, endpoint } of tenants) {
      await endpoint.stop();
      await issuer.close();
    }
  });

  const tokenOf = ({ issuer, endpoint, prefix }: Tenant) =>
    endpoint.activate(`${prefix}${Math.random().toString(36).slice(2)}`, {
      iss: issuer.issuer,
      aud: issuer.audience,
      sub: 'user-1',
      exp: Math.floor(Date.now() / 1000) + 300,
    });

  const get = (token: string) =>
    request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`);

  const credentialLines = () =>
    logger.messages().filter((message) => message.includes('client credentials'));

  it('answers 503 with Retry-After, logs one line per issuer per interval, counts every refusal', async () => {
    const [a, b] = tenants;
    const tokens = [tokenOf(a), tokenOf(b)];
    for (let i = 0; i < 3; i += 1) {
      for (const token of tokens) {
        const res = await get(token);
        expect(res.status).toBe(503);
        expect(res.headers['retry-after']).toBe('5');
        expect(res.headers['www-authenticate']).toBeUndefined();
      }
    }
    // Every request reached the endpoint, with the (wrong) secret we were given.
    expect(a.endpoint.calls + b.endpoint.calls).toBe(6);

    const lines = credentialLines();
    expect(lines).toHaveLength(2);
    for (const [line, { issuer }] of lines.map((l, i) => [l, tenants[i]] as const)) {
      expect(line).toContain(`Introspection at ${issuer.issuer} refused`);
      expect(line).toContain('HTTP 401, error invalid_client');
    }

    await sleep(INTERVAL_MS + 100);
    expect((await get(tokens[0])).status).toBe(503);
    const later = credentialLines().slice(2);
    expect(later).toHaveLength(1);
    expect(later[0]).toContain(`Introspection at ${a.issuer.issuer} refused`);
    expect(later[0]).toMatch(/\(and 2 more since \d\d:\d\d:\d\d UTC\)$/);

    const everything = logger.messages().join('\n');
    expect(everything).not.toContain(WRONG_SECRET);
    expect(everything).not.toContain(
      Buffer.from(`${CLIENT_ID}:${WRONG_SECRET}`).toString('base64'),
    );
    for (const token of tokens) expect(everything).not.toContain(token);

    expect(events.map((e) => [e.outcome, e.status, e.reason, e.issuer])).toEqual([
      ...Array.from({ length: 3 }, () => [
        ['refused', 503, 'introspection_client_refused', a.issuer.issuer],
        ['refused', 503, 'introspection_client_refused', b.issuer.issuer],
      ]).flat(),
      ['refused', 503, 'introspection_client_refused', a.issuer.issuer],
    ]);

    const refusals = (await telemetry.points('oidc_auth.decisions')).filter(
      (point) => point.attributes.reason === 'introspection_client_refused',
    );
    expect(refusals).toEqual(
      expect.arrayContaining([
        {
          attributes: {
            outcome: 'refused',
            transport: 'http',
            issuer: a.issuer.issuer,
            reason: 'introspection_client_refused',
          },
          value: 4,
        },
        {
          attributes: {
            outcome: 'refused',
            transport: 'http',
            issuer: b.issuer.issuer,
            reason: 'introspection_client_refused',
          },
          value: 3,
        },
      ]),
    );
    expect(refusals).toHaveLength(2);
  });

  it('reads invalid_client answered with 400 (RFC 6749 §5.2) the same way', async () => {
    const [a] = tenants;
    a.endpoint.fault = 'bad-client';
    const res = await get(tokenOf(a));
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(credentialLines()).toEqual([expect.stringContaining('HTTP 400, error invalid_client')]);
    expect(events.map((e) => e.reason)).toEqual(['introspection_client_refused']);
  });

  it('keeps an outage apart: it is logged as a failure, and counted as introspection_unavailable', async () => {
    const [a] = tenants;
    a.endpoint.fault = 'http502';
    expect((await get(tokenOf(a))).status).toBe(503);
    expect(credentialLines()).toEqual([]);
    expect(logger.messages()).toContainEqual(
      expect.stringContaining(`Introspection at ${a.issuer.issuer} failed: HTTP 502`),
    );
    expect(events.map((e) => e.reason)).toEqual(['introspection_unavailable']);
  });
});
