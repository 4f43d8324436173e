import { type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import fc from 'fast-check';
import request from 'supertest';
import { OidcAuthEvents, OidcAuthModule, type SecurityEventReport } from '../../../lib/index.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { suiteIssuer } from '../../support/suite-fixture.js';
import { initApp, PLATFORMS, TEST_CONTROLLERS } from '../../support/test-app.js';

const RECEIVER = 'https://api.example/ssf';
const PUSH_AUTHORIZATION = 'Bearer push-secret-0123456789';
const SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
const RFC_8935_CODES = [
  'invalid_request',
  'invalid_key',
  'invalid_issuer',
  'invalid_audience',
  'authentication_failed',
  'access_denied',
];
const nowSeconds = () => Math.floor(Date.now() / 1000);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * What a hostile or broken network sends the push endpoint: every SET here is refused with an RFC
 * 8935 §2.3 code and changes nothing, which the end of each test proves: bob's old token still
 * works, and a valid SET is still applied (its jti was not claimed by any refused one).
 */
describe.each(PLATFORMS)('the push endpoint under bad SETs (%s)', (platform) => {
  const idp = suiteIssuer();
  const transmitter = suiteIssuer();
  let app: INestApplication;
  let logger: RecordingLogger;
  let reports: SecurityEventReport[];

  beforeEach(async () => {
    const ref = await Test.createTestingModule({
      imports: [
        OidcAuthModule.forRoot({
          issuers: [{ issuer: idp.issuer, audience: idp.audience }],
          revocation: {
            maxEventAgeSeconds: 600,
            push: { maxBytes: 4096 },
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
    logger = new RecordingLogger();
    app = await initApp(ref, platform, logger);
    reports = [];
    app.get(OidcAuthEvents).securityEvents$.subscribe((r) => reports.push(r));
  });

  afterEach(async () => {
    await app.close();
  });

  const claimsOf = (overrides: Record<string, unknown> = {}) => ({
    iss: transmitter.issuer,
    aud: RECEIVER,
    iat: nowSeconds(),
    jti: `jti-${Math.random().toString(36).slice(2)}`,
    sub_id: { format: 'iss_sub', iss: idp.issuer, sub: 'bob' },
    events: { [SESSION_REVOKED]: {} },
    ...overrides,
  });
  const set = (overrides: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
    transmitter.signRaw({ typ: 'secevent+jwt', ...header }, claimsOf(overrides));

  const push = (body: string) =>
    request(app.getHttpServer())
      .post('/ssf/events')
      .set('Authorization', PUSH_AUTHORIZATION)
      .set('Content-Type', 'application/secevent+jwt')
      .send(body);

  /** Nothing was applied, nothing claimed: an old token works, and `valid` is still new. */
  async function changedNothing(valid: string): Promise<void> {
    const token = await idp.mint({ sub: 'bob', iat: nowSeconds() - 30 });
    const me = () =>
      request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`);
    expect((await me()).status).toBe(200);
    expect((await push(valid)).status).toBe(202);
    expect(reports.at(-1)?.outcome).toBe('applied');
    expect((await me()).status).toBe(401);
  }

  it('refuses unsigned, wrongly signed, stale, future, mistyped and re-signed SETs with RFC 8935 codes', async () => {
    const valid = set();
    const [header, payload, signature] = valid.split('.');
    const unsignedHeader = b64({ alg: 'none', typ: 'secevent+jwt' });
    const cases: Array<[string, string, string]> = [
      ['alg none, no signature', `${unsignedHeader}.${payload}.`, 'invalid_request'],
      [
        'alg none with the signature kept',
        `${unsignedHeader}.${payload}.${signature}`,
        'invalid_key',
      ],
      [
        'HS256 keyed with the public key',
        `${b64({ alg: 'HS256', typ: 'secevent+jwt' })}.${payload}.${signature}`,
        'invalid_key',
      ],
      [
        'the payload of another SET under this signature',
        `${header}.${set().split('.')[1]}.${signature}`,
        'invalid_key',
      ],
      ['a signature cut short', `${header}.${payload}.${signature.slice(0, 40)}`, 'invalid_key'],
      ['no signature part', `${header}.${payload}`, 'invalid_request'],
      ['a JWE', `${header}.${payload}.${signature}.a.b`, 'invalid_request'],
      ['typ JWT', set({}, { typ: 'JWT' }), 'invalid_request'],
      ['typ at+jwt (an access token)', set({}, { typ: 'at+jwt' }), 'invalid_request'],
      [
        'an iat older than maxEventAgeSeconds',
        set({ iat: nowSeconds() - 3600 }),
        'invalid_request',
      ],
      ['an iat in the future', set({ iat: nowSeconds() + 3600 }), 'invalid_request'],
      ['an expired exp', set({ exp: nowSeconds() - 3600 }), 'invalid_request'],
      ['a crit header', set({}, { crit: ['urn:example:ext'] }), 'invalid_request'],
      ['an unknown kid', set({}, { kid: 'made-up' }), 'invalid_key'],
      [
        'an audience list not naming this receiver',
        set({ aud: ['https://a', 'https://b'] }),
        'invalid_audience',
      ],
      ['no aud', set({ aud: undefined }), 'invalid_audience'],
      ['no iss', set({ iss: undefined }), 'invalid_issuer'],
      ['a non-string iss', set({ iss: 42 }), 'invalid_issuer'],
      ['events as an array', set({ events: [SESSION_REVOKED] }), 'invalid_request'],
      [
        'the subject twice',
        set({ events: { [SESSION_REVOKED]: { subject: { format: 'opaque', id: 'x' } } } }),
        'invalid_request',
      ],
      [
        'a payload that is not JSON',
        `${header}.${Buffer.from('not json').toString('base64url')}.${signature}`,
        'invalid_request',
      ],
      ['padded base64url', `${header}=.${payload}.${signature}`, 'invalid_request'],
      ['whitespace inside', `${header}. ${payload}.${signature}`, 'invalid_request'],
    ];
    const answers = [];
    for (const [what, body] of cases) {
      const answer = await push(body);
      expect(answer.body.description).not.toContain('bob');
      answers.push([what, answer.status, answer.body?.err]);
    }
    expect(answers).toEqual(cases.map(([what, , code]) => [what, 400, code]));
    await changedNothing(valid);
  });

  it('answers a replayed SET 202 and applies it once, even after the replay is re-signed with a new jti of a stale iat', async () => {
    const valid = set();
    expect((await push(valid)).status).toBe(202);
    expect((await push(valid)).status).toBe(202);
    expect(reports.map((r) => r.outcome)).toEqual(['applied', 'duplicate']);
    expect((await push(set({ iat: nowSeconds() - 3600 }))).body.err).toBe('invalid_request');
  });

  it('refuses any mutation of a valid SET and changes nothing (property)', async () => {
    const valid = set();
    const length = valid.length;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ';
    const mutation = fc.oneof(
      // One character replaced.
      fc.record({
        kind: fc.constant('replace' as const),
        at: fc.nat({ max: length - 1 }),
        by: fc.constantFrom(...alphabet),
      }),
      // A run of characters removed.
      fc.record({
        kind: fc.constant('delete' as const),
        at: fc.nat({ max: length - 1 }),
        count: fc.integer({ min: 1, max: 8 }),
      }),
      // Characters inserted.
      fc.record({
        kind: fc.constant('insert' as const),
        at: fc.nat({ max: length }),
        text: fc.string({ unit: fc.constantFrom(...alphabet), minLength: 1, maxLength: 8 }),
      }),
      // A claim of the payload changed, the signature kept.
      fc.record({
        kind: fc.constant('claim' as const),
        name: fc.constantFrom('iss', 'aud', 'iat', 'jti', 'sub_id', 'events', 'exp', 'nbf'),
        value: fc.jsonValue({ maxDepth: 2 }),
      }),
    );
    const [header, payload, signature] = valid.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        let body: string;
        if (m.kind === 'replace') body = valid.slice(0, m.at) + m.by + valid.slice(m.at + 1);
        else if (m.kind === 'delete') body = valid.slice(0, m.at) + valid.slice(m.at + m.count);
        else if (m.kind === 'insert') body = valid.slice(0, m.at) + m.text + valid.slice(m.at);
        else body = `${header}.${b64({ ...claims, [m.name]: m.value })}.${signature}`;
        // The endpoint trims the body, as a transmitter's trailing newline is no mutation.
        fc.pre(body.trim() !== valid);
        const answer = await push(body);
        expect(answer.status).toBe(400);
        expect(RFC_8935_CODES).toContain(answer.body.err);
      }),
      { seed: 20_261_206, numRuns: 60 },
    );
    expect(reports.every((r) => r.outcome === 'rejected')).toBe(true);
    await changedNothing(valid);
  });

  it('logs a flood of bad SETs once per code, and keeps answering', async () => {
    const bodies = [
      'junk',
      set({ aud: 'https://elsewhere' }),
      set({}, { kid: 'made-up' }),
      set({ iss: 'https://nobody' }),
    ];
    for (let i = 0; i < 100; i += 1) {
      expect((await push(bodies[i % bodies.length])).status).toBe(400);
    }
    const refusals = logger.messages().filter((m) => m.startsWith('Refused a SET'));
    expect(refusals.map((m) => m.split(':')[1].trim()).sort()).toEqual([
      'invalid_audience',
      'invalid_issuer',
      'invalid_key',
      'invalid_request',
    ]);
    await changedNothing(set());
  });
});
