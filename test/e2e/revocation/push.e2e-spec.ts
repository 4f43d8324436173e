import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  type AuthEvent,
  OidcAuthEvents,
  OidcAuthModule,
  OidcRevocations,
} from '../../../lib/index.js';
import { LocalIssuer } from '../../../lib/testing/index.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { initApp, PLATFORMS, TEST_CONTROLLERS } from '../../support/test-app.js';

const RECEIVER = 'https://api.example/ssf';
const PUSH_AUTHORIZATION = 'Bearer push-secret-0123456789';
const OTHER_AUTHORIZATION = 'Bearer other-secret-0123456789';
const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
const ACCOUNT_DISABLED = 'https://schemas.openid.net/secevent/risc/event-type/account-disabled';
const ACCOUNT_ENABLED = 'https://schemas.openid.net/secevent/risc/event-type/account-enabled';

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe.each(PLATFORMS)('revocation pushed as Security Event Tokens (%s)', (platform) => {
  // The identity provider issuing access tokens, and two SSF transmitters with keys of their own,
  // each serving its JWKS over HTTP on 127.0.0.1.
  let idp: LocalIssuer;
  let transmitter: LocalIssuer;
  let other: LocalIssuer;
  let app: INestApplication;
  let events: AuthEvent[];
  let logger: RecordingLogger;

  beforeAll(async () => {
    [idp, transmitter, other] = await Promise.all([
      LocalIssuer.start(),
      LocalIssuer.start(),
      LocalIssuer.start(),
    ]);
  });

  afterAll(async () => {
    await Promise.all([idp.close(), transmitter.close(), other.close()]);
  });

  beforeEach(async () => {
    const ref = await Test.createTestingModule({
      imports: [
        OidcAuthModule.forRoot({
          issuers: [{ issuer: idp.issuer, audience: idp.audience }],
          refusalLogIntervalMs: 0,
          revocation: {
            maxTokenLifetimeSeconds: 3600,
            push: { maxBytes: 8192 },
            transmitters: [
              {
                issuer: transmitter.issuer,
                jwksUri: transmitter.jwksUri,
                audience: RECEIVER,
                pushAuthorization: PUSH_AUTHORIZATION,
                tokenIssuers: [idp.issuer],
              },
              {
                issuer: other.issuer,
                jwksUri: other.jwksUri,
                audience: RECEIVER,
                pushAuthorization: OTHER_AUTHORIZATION,
              },
            ],
          },
        }),
      ],
      controllers: TEST_CONTROLLERS,
    }).compile();
    logger = new RecordingLogger();
    app = await initApp(ref, platform, logger);
    events = [];
    app.get(OidcAuthEvents).events$.subscribe((e) => events.push(e));
  });

  afterEach(async () => {
    await app.close();
  });

  const me = (token: string) =>
    request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`);

  function set(
    event: string,
    payload: Record<string, unknown>,
    claims: Record<string, unknown> = {},
  ) {
    return transmitter.signRaw(
      { typ: 'secevent+jwt' },
      {
        iss: transmitter.issuer,
        aud: RECEIVER,
        iat: nowSeconds(),
        jti: `jti-${Math.random().toString(36).slice(2)}`,
        sub_id: { format: 'iss_sub', iss: idp.issuer, sub: 'bob' },
        events: { [event]: payload },
        ...claims,
      },
    );
  }

  const push = (
    body: string | Buffer,
    authorization = PUSH_AUTHORIZATION,
    type = 'application/secevent+jwt',
  ) =>
    request(app.getHttpServer())
      .post('/ssf/events')
      .set('Authorization', authorization)
      .set('Content-Type', type)
      .send(body);

  it('refuses a token, cached or not, once its session is revoked, and accepts a fresh one', async () => {
    const token = await idp.mint({ sub: 'bob', iat: nowSeconds() - 10 });
    for (let i = 0; i < 3; i += 1) expect((await me(token)).status).toBe(200);
    expect(events.at(-1)).toMatchObject({ outcome: 'allowed', cached: true });

    const pushed = await push(set(SESSION_REVOKED, { event_timestamp: nowSeconds() }));
    expect(pushed.status).toBe(202);

    const refused = await me(token);
    expect(refused.status).toBe(401);
    const challenge = refused.headers['www-authenticate'];
    expect(challenge).toContain('error="invalid_token"');
    expect(challenge).toContain('The token was revoked (session-revoked)');
    expect(challenge).not.toContain('bob');
    expect(events.at(-1)).toMatchObject({
      outcome: 'refused',
      reason: 'token_revoked',
      status: 401,
    });

    // Another user's token, and bob's token issued after the event, are fine.
    expect((await me(await idp.mint({ sub: 'alice', iat: nowSeconds() - 10 }))).status).toBe(200);
    expect((await me(await idp.mint({ sub: 'bob' }))).status).toBe(200);
    expect(logger.messages()).toContainEqual(
      expect.stringContaining(`Applied session-revoked from ${transmitter.issuer}`),
    );
  });

  it('revokes one session of a complex user + session subject and leaves the others', async () => {
    const iat = nowSeconds() - 10;
    const first = await idp.mint({ sub: 'bob', sid: 's1', iat });
    const second = await idp.mint({ sub: 'bob', sid: 's2', iat });
    const subject = {
      format: 'complex',
      user: { format: 'iss_sub', iss: idp.issuer, sub: 'bob' },
      session: { format: 'opaque', id: 's1' },
    };
    expect((await push(set(SESSION_REVOKED, {}, { sub_id: subject }))).status).toBe(202);
    expect((await me(first)).status).toBe(401);
    expect((await me(second)).status).toBe(200);
  });

  it('refuses every token of a disabled account until it is enabled', async () => {
    expect((await push(set(ACCOUNT_DISABLED, { reason: 'hijacking' }))).status).toBe(202);
    const during = await me(await idp.mint({ sub: 'bob' }));
    expect(during.status).toBe(401);
    expect(during.headers['www-authenticate']).toContain('(account-disabled)');
    expect((await push(set(ACCOUNT_ENABLED, {}))).status).toBe(202);
    expect((await me(await idp.mint({ sub: 'bob', iat: nowSeconds() + 1 }))).status).toBe(200);
  });

  it('answers a replayed SET 202 and applies it once', async () => {
    const disabled = set(ACCOUNT_DISABLED, {});
    expect((await push(disabled)).status).toBe(202);
    expect((await push(set(ACCOUNT_ENABLED, {}))).status).toBe(202);
    expect((await push(disabled)).status).toBe(202);
    expect((await me(await idp.mint({ sub: 'bob', iat: nowSeconds() + 1 }))).status).toBe(200);
  });

  it('acknowledges an event type it does not act on, and logs it once', async () => {
    const type = 'https://schemas.openid.net/secevent/caep/event-type/device-compliance-change';
    for (let i = 0; i < 2; i += 1) {
      expect((await push(set(type, { current_status: 'not-compliant' }))).status).toBe(202);
    }
    expect(logger.messages().filter((m) => m.includes('Acknowledged and ignored'))).toHaveLength(1);
  });

  it('refuses bad SETs with the RFC 8935 codes and applies none of them', async () => {
    const token = await idp.mint({ sub: 'bob', iat: nowSeconds() - 10 });
    const revoke = () => set(SESSION_REVOKED, {});
    const cases: Array<[string, () => ReturnType<typeof push>, number, string]> = [
      ['no Authorization', () => push(revoke(), ''), 400, 'authentication_failed'],
      ['a wrong Authorization', () => push(revoke(), 'Bearer nope'), 400, 'authentication_failed'],
      [
        'another media type',
        () => push(revoke(), PUSH_AUTHORIZATION, 'application/jwt'),
        400,
        'invalid_request',
      ],
      [
        'JSON instead of a SET',
        () => push('{"iss":"x"}', PUSH_AUTHORIZATION, 'application/json'),
        400,
        'invalid_request',
      ],
      ['not a JWS', () => push('hello'), 400, 'invalid_request'],
      [
        'signed by the token issuer instead',
        () =>
          push(
            idp.signRaw(
              { typ: 'secevent+jwt', kid: transmitter.currentKid },
              { iss: transmitter.issuer },
            ),
          ),
        400,
        'invalid_key',
      ],
      [
        'another audience',
        () => push(set(SESSION_REVOKED, {}, { aud: 'https://elsewhere' })),
        400,
        'invalid_audience',
      ],
      [
        'an unknown issuer',
        () => push(set(SESSION_REVOKED, {}, { iss: 'https://nobody' })),
        400,
        'invalid_issuer',
      ],
      [
        "another transmitter's credentials",
        () => push(revoke(), OTHER_AUTHORIZATION),
        400,
        'access_denied',
      ],
      ['no jti', () => push(set(SESSION_REVOKED, {}, { jti: undefined })), 400, 'invalid_request'],
      [
        'two events',
        () => push(set(SESSION_REVOKED, {}, { events: { a: {}, b: {} } })),
        400,
        'invalid_request',
      ],
      [
        'a malformed subject',
        () => push(set(SESSION_REVOKED, {}, { sub_id: { format: 'iss_sub' } })),
        400,
        'invalid_request',
      ],
      ['an oversized body', () => push(`${revoke()}${'A'.repeat(9000)}`), 413, 'invalid_request'],
    ];
    for (const [what, send, status, code] of cases) {
      const answer = await send();
      expect({ what, status: answer.status, err: answer.body?.err }).toEqual({
        what,
        status,
        err: code,
      });
      expect(typeof answer.body.description).toBe('string');
    }
    expect((await me(token)).status).toBe(200);
  });

  it("answers 503 with Retry-After while the transmitter's keys cannot be fetched, so it retries", async () => {
    const revoke = set(SESSION_REVOKED, {});
    await transmitter.stop();
    try {
      const answer = await push(revoke);
      expect(answer.status).toBe(503);
      expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await transmitter.restart();
    }
    const token = await idp.mint({ sub: 'bob', iat: nowSeconds() - 10 });
    expect((await me(token)).status).toBe(200);
  });

  it('stops reading a chunked body at maxBytes and answers 413, applying nothing', async () => {
    const token = await idp.mint({ sub: 'bob', iat: nowSeconds() - 10 });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/ssf/events',
          headers: {
            authorization: PUSH_AUTHORIZATION,
            'content-type': 'application/secevent+jwt',
            'transfer-encoding': 'chunked',
          },
        },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.write(set(SESSION_REVOKED, {}));
      req.write('A'.repeat(9000));
      req.end();
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ err: 'invalid_request' });
    expect((await me(token)).status).toBe(200);
  });

  it('revokes and restores through OidcRevocations, for logout endpoints and admin consoles', async () => {
    const token = await idp.mint({ sub: 'carol', client_id: 'app-1', iat: nowSeconds() - 10 });
    for (let i = 0; i < 3; i += 1) expect((await me(token)).status).toBe(200);
    const revocations = app.get(OidcRevocations);
    await revocations.revokeSubject(idp.issuer, 'carol');
    expect((await me(token)).headers['www-authenticate']).toContain('(subject-revoked)');
    expect(await revocations.restore('subject', idp.issuer, 'carol')).toBe(true);
    expect((await me(token)).status).toBe(200);
    await revocations.revokeClient(idp.issuer, 'app-1');
    expect((await me(token)).headers['www-authenticate']).toContain('(client-revoked)');
  });
});
