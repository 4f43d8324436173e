import { type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  type AuthEvent,
  OidcAuthEvents,
  OidcAuthModule,
  OidcRevocations,
  type SecurityEventReport,
} from '../../../lib/index.js';
import { suiteIssuer } from '../../support/suite-fixture.js';
import { TestTelemetry } from '../../support/telemetry-sdk.js';
import { initApp, PLATFORMS, TEST_CONTROLLERS } from '../../support/test-app.js';

const RECEIVER = 'https://api.example/ssf';
const PUSH_AUTHORIZATION = 'Bearer push-secret-0123456789';
const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
const UNKNOWN = 'https://schemas.openid.net/secevent/caep/event-type/device-compliance-change';
const nowSeconds = () => Math.floor(Date.now() / 1000);

interface HistogramValue {
  count: number;
  sum: number;
}

describe.each(PLATFORMS)('revocation events and OpenTelemetry metrics (%s)', (platform) => {
  const idp = suiteIssuer();
  const transmitter = suiteIssuer();
  let telemetry: TestTelemetry;
  let app: INestApplication;
  let decisions: AuthEvent[];
  let securityEvents: SecurityEventReport[];

  beforeEach(async () => {
    telemetry = TestTelemetry.register();
    const ref = await Test.createTestingModule({
      imports: [
        OidcAuthModule.forRoot({
          issuers: [{ issuer: idp.issuer, audience: idp.audience }],
          revocation: {
            push: {},
            transmitters: [
              {
                issuer: transmitter.issuer,
                jwksUri: transmitter.jwksUri,
                audience: RECEIVER,
                pushAuthorization: PUSH_AUTHORIZATION,
                tokenIssuers: [idp.issuer],
              },
            ],
          },
        }),
      ],
      controllers: TEST_CONTROLLERS,
    }).compile();
    app = await initApp(ref, platform);
    decisions = [];
    securityEvents = [];
    const events = app.get(OidcAuthEvents);
    events.events$.subscribe((e) => decisions.push(e));
    events.securityEvents$.subscribe((e) => securityEvents.push(e));
  });

  afterEach(async () => {
    await app.close();
    await telemetry.unregister();
  });

  const me = (token: string) =>
    request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`);

  function set(type: string, claims: Record<string, unknown> = {}): string {
    return transmitter.signRaw(
      { typ: 'secevent+jwt' },
      {
        iss: transmitter.issuer,
        aud: RECEIVER,
        iat: nowSeconds(),
        jti: `jti-${Math.random().toString(36).slice(2)}`,
        sub_id: { format: 'iss_sub', iss: idp.issuer, sub: 'bob' },
        events: { [type]: {} },
        ...claims,
      },
    );
  }

  const push = (body: string, authorization = PUSH_AUTHORIZATION) =>
    request(app.getHttpServer())
      .post('/ssf/events')
      .set('Authorization', authorization)
      .set('Content-Type', 'application/secevent+jwt')
      .send(body);

  it('counts SETs by outcome, transmitter, event and RFC 8935 code, and reports each one', async () => {
    const revoke = set(SESSION_REVOKED);
    expect((await push(revoke)).status).toBe(202);
    expect((await push(revoke)).status).toBe(202);
    expect((await push(set(UNKNOWN))).status).toBe(202);
    expect((await push(set(SESSION_REVOKED, { aud: 'https://elsewhere' }))).status).toBe(400);
    expect((await push(set(SESSION_REVOKED), 'Bearer wrong-secret-0123456789')).status).toBe(400);

    const from = transmitter.issuer;
    expect(await telemetry.points('oidc_auth.security_events')).toEqual(
      expect.arrayContaining([
        {
          attributes: { outcome: 'applied', transmitter: from, type: 'session-revoked' },
          value: 1,
        },
        {
          attributes: { outcome: 'duplicate', transmitter: from, type: 'session-revoked' },
          value: 1,
        },
        { attributes: { outcome: 'ignored', transmitter: from, type: 'other' }, value: 1 },
        {
          attributes: { outcome: 'rejected', transmitter: from, error: 'invalid_audience' },
          value: 1,
        },
        { attributes: { outcome: 'rejected', error: 'authentication_failed' }, value: 1 },
      ]),
    );
    expect(await telemetry.points('oidc_auth.security_events')).toHaveLength(5);
    expect(securityEvents.map((e) => [e.outcome, e.type ?? e.error])).toEqual([
      ['applied', SESSION_REVOKED],
      ['duplicate', SESSION_REVOKED],
      ['ignored', UNKNOWN],
      ['rejected', 'invalid_audience'],
      ['rejected', 'authentication_failed'],
    ]);
  });

  it('counts refusals by the event that revoked the token, and the lag to the first one only', async () => {
    const token = await idp.mint({ sub: 'bob', iat: nowSeconds() - 10 });
    expect((await me(token)).status).toBe(200);
    const pushedAt = Date.now();
    expect((await push(set(SESSION_REVOKED))).status).toBe(202);
    for (let i = 0; i < 3; i += 1) expect((await me(token)).status).toBe(401);
    const waited = (Date.now() - pushedAt) / 1000;

    // The application's revocations are measured from the call.
    const carol = await idp.mint({ sub: 'carol', iat: nowSeconds() - 10 });
    await app.get(OidcRevocations).revokeSubject(idp.issuer, 'carol');
    expect((await me(carol)).status).toBe(401);

    const issuer = idp.issuer;
    expect(await telemetry.points('oidc_auth.revocation.refusals')).toEqual(
      expect.arrayContaining([
        { attributes: { event: 'session-revoked', issuer }, value: 3 },
        { attributes: { event: 'subject-revoked', issuer }, value: 1 },
      ]),
    );
    const lag = await telemetry.points<HistogramValue>('oidc_auth.revocation.lag');
    expect(lag.map((p) => [p.attributes, p.value.count])).toEqual(
      expect.arrayContaining([
        [{ event: 'session-revoked', issuer }, 1],
        [{ event: 'subject-revoked', issuer }, 1],
      ]),
    );
    const pushed = lag.find((p) => p.attributes.event === 'session-revoked')!;
    // The SET's iat is whole seconds: up to one second before the push, never after the refusal.
    expect(pushed.value.sum).toBeGreaterThanOrEqual(0);
    expect(pushed.value.sum).toBeLessThanOrEqual(waited + 1);

    expect(await telemetry.points('oidc_auth.decisions')).toEqual(
      expect.arrayContaining([
        {
          attributes: { outcome: 'refused', transport: 'http', issuer, reason: 'token_revoked' },
          value: 4,
        },
      ]),
    );
    expect(decisions.filter((e) => e.reason === 'token_revoked').map((e) => e.revokedBy)).toEqual([
      'session-revoked',
      'session-revoked',
      'session-revoked',
      'subject-revoked',
    ]);
  });
});
