import { jest } from '@jest/globals';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, jwtVerify } from 'jose';
import {
  KeysUnavailableError,
  SecurityEventError,
} from '../../../../lib/protocol/errors/errors.js';
import { KeySet } from '../../../../lib/core/keys/key-set.js';
import { SecurityEventTokenVerifier } from '../../../../lib/core/revocation/security-event-token.js';
import {
  RECEIVER,
  SESSION_REVOKED,
  signSet,
  TOKEN_ISSUER,
  TRANSMITTER,
  TRANSMITTER_JWKS,
  transmitterKeys,
  unitTransmitter,
} from '../../../support/security-events.js';

jest.setTimeout(120_000);

const NOW = 1_800_000_000;
const TOLERANCE = 60;
const MAX_AGE = 86_400;

function verifierOf(transmitter = unitTransmitter()) {
  return new SecurityEventTokenVerifier({
    transmitters: [transmitter],
    clockToleranceSeconds: TOLERANCE,
    maxAgeSeconds: MAX_AGE,
    now: () => NOW * 1000,
  });
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof SecurityEventError) return err.code;
    throw err;
  }
  return 'accepted';
}

describe('SecurityEventTokenVerifier', () => {
  const verifier = verifierOf();
  const set = (claims: Record<string, unknown> = {}, options = {}) =>
    signSet({ iat: NOW - 5, ...claims }, options);

  it('accepts a SET of the transmitter with its one event, subject and time', async () => {
    const event = await verifier.verify(
      await set({ events: { [SESSION_REVOKED]: { event_timestamp: NOW - 30 } } }),
    );
    expect(event).toMatchObject({
      type: SESSION_REVOKED,
      jti: expect.any(String),
      time: NOW - 30,
      subject: { format: 'iss_sub', iss: TOKEN_ISSUER, sub: 'bob' },
    });
    expect(event.transmitter.issuer).toBe(TRANSMITTER);
  });

  it('takes the legacy event subject, and never an event time later than now', async () => {
    const event = await verifier.verify(
      await set({
        sub_id: undefined,
        events: {
          [SESSION_REVOKED]: { subject: { format: 'opaque', id: 's' }, event_timestamp: NOW + 9e6 },
        },
      }),
    );
    expect(event.subject).toEqual({ format: 'opaque', id: 's' });
    expect(event.time).toBe(NOW);
  });

  it.each([
    ['a typ other than secevent+jwt', {}, { header: { typ: 'JWT' } }, 'invalid_request'],
    ['no typ', {}, { header: { typ: undefined } }, 'invalid_request'],
    ['an unknown issuer', { iss: 'https://evil.example' }, {}, 'invalid_issuer'],
    ['another audience', { aud: 'https://other.example' }, {}, 'invalid_audience'],
    ['no audience', { aud: undefined }, {}, 'invalid_audience'],
    ['no iat', { iat: undefined }, {}, 'invalid_request'],
    ['an iat in the future', { iat: NOW + 600 }, {}, 'invalid_request'],
    ['an iat older than the replay window', { iat: NOW - MAX_AGE - 600 }, {}, 'invalid_request'],
    ['an exp passed', { exp: NOW - 600 }, {}, 'invalid_request'],
    ['no jti', { jti: undefined }, {}, 'invalid_request'],
    ['a numeric jti', { jti: 7 }, {}, 'invalid_request'],
    ['no events', { events: undefined }, {}, 'invalid_request'],
    ['two events', { events: { a: {}, b: {} } }, {}, 'invalid_request'],
    ['events as an array', { events: [{}] }, {}, 'invalid_request'],
    [
      'an event payload that is not an object',
      { events: { [SESSION_REVOKED]: 1 } },
      {},
      'invalid_request',
    ],
    ['no subject', { sub_id: undefined }, {}, 'invalid_request'],
    ['a forged signature', {}, { key: transmitterKeys.attacker.privateKey }, 'invalid_key'],
    ['an unknown kid', {}, { header: { kid: 'nope' } }, 'invalid_key'],
    ['an algorithm not allowed', {}, { header: { alg: 'PS256' } }, 'invalid_key'],
    [
      'a symmetric algorithm',
      {},
      { header: { alg: 'HS256' }, key: new Uint8Array(32) },
      'invalid_key',
    ],
    ['a crit header', {}, { header: { crit: ['b64'], b64: true } }, 'invalid_request'],
  ])('refuses %s, naming its RFC 8935 code', async (_what, claims, options, code) => {
    expect(await codeOf(verifier.verify(await set(claims, options)))).toBe(code);
  });

  it('refuses what is not a compact JWS with invalid_request', async () => {
    for (const text of ['', 'a.b', 'x.y.z', `${await set()}.extra`, '{"iss":1}']) {
      expect(await codeOf(verifier.verify(text))).toBe('invalid_request');
    }
  });

  it('refuses a SET of a trusted issuer carried by another transmitter with access_denied', async () => {
    const other = unitTransmitter({ issuer: 'https://ssf.other.example' });
    const both = new SecurityEventTokenVerifier({
      transmitters: [unitTransmitter(), other],
      clockToleranceSeconds: TOLERANCE,
      maxAgeSeconds: MAX_AGE,
      now: () => NOW * 1000,
    });
    const first = both.transmitters[0];
    expect(await codeOf(both.verify(await set(), both.transmitters[1]))).toBe('access_denied');
    expect(await codeOf(both.verify(await set(), first))).toBe('accepted');
  });

  it('lets a key-set outage through as KeysUnavailableError, not as a bad SET', async () => {
    const down = unitTransmitter({
      keySet: new KeySet(TRANSMITTER, () => Promise.reject(new Error('down')), {
        cooldownMs: 60_000,
        maxAgeMs: 60_000,
        maxWaitMs: 100,
      }),
    });
    await expect(verifierOf(down).verify(await set())).rejects.toBeInstanceOf(KeysUnavailableError);
  });
});

// Every place the verifier is stricter than jose's jwtVerify with the same settings, by name.
const STRICTER = {
  one_event: (c: Record<string, unknown>) => {
    const events = c.events;
    if (typeof events !== 'object' || events === null || Array.isArray(events)) return true;
    const values = Object.values(events);
    return (
      values.length !== 1 ||
      typeof values[0] !== 'object' ||
      values[0] === null ||
      Array.isArray(values[0])
    );
  },
  jti_string: (c: Record<string, unknown>) =>
    typeof c.jti !== 'string' || c.jti.length === 0 || c.jti.length > 256,
  one_subject: (c: Record<string, unknown>) => {
    const event = Object.values((c.events ?? {}) as object)[0] as
      Record<string, unknown> | undefined;
    const inEvent = event?.subject !== undefined;
    return (c.sub_id === undefined) === !inEvent;
  },
} as const;

describe('SecurityEventTokenVerifier against jose (differential, seeded)', () => {
  const verifier = verifierOf();
  const keys = createLocalJWKSet(TRANSMITTER_JWKS as never);
  const explained = new Set<string>();

  const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 4 });
  const recipe = fc.record({
    typ: fc.constantFrom(
      'secevent+jwt',
      'application/secevent+jwt',
      'SECEVENT+JWT',
      'JWT',
      'at+jwt',
      undefined,
    ),
    alg: fc.constantFrom('RS256', 'ES256', 'PS256'),
    signer: fc.constantFrom('rsa', 'ec', 'attacker'),
    kid: fc.constantFrom('r1', 'e1', 'zz', undefined),
    iss: fc.constantFrom(TRANSMITTER, 'https://evil.example', 5, undefined),
    aud: fc.constantFrom(RECEIVER, [RECEIVER, 'x'], ['x'], 'other', 3, undefined),
    iat: fc.constantFrom(
      NOW - 10,
      NOW,
      NOW + 30,
      NOW + 600,
      NOW - MAX_AGE - 600,
      NOW - MAX_AGE + 10,
      '1',
      undefined,
    ),
    exp: maybe(fc.constantFrom(NOW + 100, NOW - 30, NOW - 600, 'x')),
    nbf: maybe(fc.constantFrom(NOW - 10, NOW + 30, NOW + 600)),
    jti: fc.constantFrom('id-1', '', 42, 'x'.repeat(300), undefined),
    events: fc.constantFrom<unknown>(
      { [SESSION_REVOKED]: {} },
      { [SESSION_REVOKED]: { subject: { format: 'opaque', id: 'a' } } },
      {},
      { a: {}, b: {} },
      [{}],
      { [SESSION_REVOKED]: 'x' },
      { [SESSION_REVOKED]: null },
      undefined,
    ),
    subId: fc.constantFrom<unknown>(
      { format: 'iss_sub', iss: TOKEN_ISSUER, sub: 'bob' },
      undefined,
    ),
  });

  it('agrees on 1,500 SETs with mutated headers and claims', async () => {
    await fc.assert(
      fc.asyncProperty(recipe, async (r) => {
        const claims: Record<string, unknown> = {
          iss: r.iss,
          aud: r.aud,
          iat: r.iat,
          exp: r.exp,
          nbf: r.nbf,
          jti: r.jti,
          events: r.events,
          sub_id: r.subId,
        };
        for (const name of Object.keys(claims)) if (claims[name] === undefined) delete claims[name];
        const pair = transmitterKeys[r.signer as keyof typeof transmitterKeys];
        // jose signs only with a key of the algorithm's type: the mismatches come from the kid.
        const signingKey = r.alg === 'ES256' ? transmitterKeys.ec.privateKey : pair.privateKey;
        const token = await signSet(claims, {
          header: { alg: r.alg, kid: r.kid, typ: r.typ },
          key:
            r.alg === 'ES256' && r.signer !== 'ec'
              ? transmitterKeys.attacker.privateKey
              : signingKey,
        }).catch(() => undefined);
        if (!token) return;
        const ours = await verifier.verify(token).then(
          () => true,
          (err: unknown) => {
            if (!(err instanceof SecurityEventError)) throw err;
            return false;
          },
        );
        const theirs = await jwtVerify(token, keys, {
          issuer: TRANSMITTER,
          audience: RECEIVER,
          typ: 'secevent+jwt',
          algorithms: ['RS256', 'ES256'],
          requiredClaims: ['iat', 'jti'],
          clockTolerance: TOLERANCE,
          maxTokenAge: MAX_AGE,
          currentDate: new Date(NOW * 1000),
        }).then(
          () => true,
          () => false,
        );
        const rules = (Object.keys(STRICTER) as (keyof typeof STRICTER)[]).filter((name) =>
          STRICTER[name](claims),
        );
        if (ours && !theirs) throw new Error(`accepted what jose refuses: ${JSON.stringify(r)}`);
        if (ours && rules.length) throw new Error(`accepted despite ${rules.join(', ')}`);
        if (!ours && theirs) {
          if (!rules.length)
            throw new Error(`refused what jose accepts, no rule: ${JSON.stringify(r)}`);
          for (const rule of rules) explained.add(rule);
        }
      }),
      { seed: 20_261_206, numRuns: 1_500 },
    );
    expect([...explained].sort()).toEqual(Object.keys(STRICTER).sort());
  });

  it('lists every stricter rule in SECURITY.md', () => {
    const security = readFileSync(new URL('../../../../SECURITY.md', import.meta.url), 'utf8');
    expect(Object.keys(STRICTER).filter((name) => !security.includes(`\`${name}\``))).toEqual([]);
  });
});
