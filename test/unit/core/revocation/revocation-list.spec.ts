import fc from 'fast-check';
import { OidcAuthConfigError } from '../../../../lib/core/config/config-error.js';
import {
  RevocationList,
  type RevocationTarget,
} from '../../../../lib/core/revocation/revocation-list.js';

const ISS = 'https://idp.example';
const T0 = 1_800_000_000;

function listAt(clock: { now: number }, overrides: { maxEntries?: number } = {}) {
  return new RevocationList({
    maxTokenLifetimeSeconds: 3600,
    clockToleranceSeconds: 60,
    maxEntries: overrides.maxEntries ?? 1000,
    now: () => clock.now,
  });
}

const subject = (value: string, issuer = ISS): RevocationTarget => ({
  scope: 'subject',
  issuer,
  value,
});

describe('RevocationList', () => {
  it('refuses a token of a revoked subject issued before the revocation, and not one issued at or after it', () => {
    const clock = { now: T0 * 1000 };
    const list = listAt(clock);
    list.revoke(subject('bob'), T0, 'iat', 'session-revoked');
    expect(list.refusalOf(ISS, 'bob', undefined, { iat: T0 - 1 })?.cause).toBe('session-revoked');
    expect(list.refusalOf(ISS, 'bob', undefined, { iat: T0 })).toBeUndefined();
    expect(list.refusalOf(ISS, 'alice', undefined, { iat: T0 - 1 })).toBeUndefined();
    expect(
      list.refusalOf('https://other.example', 'bob', undefined, { iat: T0 - 1 }),
    ).toBeUndefined();
  });

  it('keys sessions by sid, clients by client id and emails without case', () => {
    const clock = { now: T0 * 1000 };
    const list = listAt(clock);
    list.revoke({ scope: 'session', issuer: ISS, value: 's1' }, T0, 'iat', 'session-revoked');
    list.revoke({ scope: 'client', issuer: ISS, value: 'app' }, T0, 'iat', 'client-revoked');
    list.revoke({ scope: 'email', issuer: ISS, value: 'Bob@Example.com' }, T0, 'iat', 'x');
    const old = { iat: T0 - 5 };
    expect(list.refusalOf(ISS, 'u', undefined, { ...old, sid: 's1' })?.cause).toBe(
      'session-revoked',
    );
    expect(list.refusalOf(ISS, 'u', undefined, { ...old, sid: 's2' })).toBeUndefined();
    expect(list.refusalOf(ISS, 'u', 'app', old)?.cause).toBe('client-revoked');
    expect(list.refusalOf(ISS, 'u', undefined, { ...old, email: 'bob@example.COM' })?.cause).toBe(
      'x',
    );
    expect(
      list.refusalOf(ISS, 'u', undefined, { ...old, email: 'eve@example.com' }),
    ).toBeUndefined();
  });

  it('compares auth_time (else iat) for auth_time revocations, iat for the others', () => {
    const list = listAt({ now: T0 * 1000 });
    list.revoke(subject('bob'), T0, 'auth_time', 'credential-change');
    // Refreshed after the change, from an authentication before it.
    expect(
      list.refusalOf(ISS, 'bob', undefined, { iat: T0 + 10, auth_time: T0 - 100 })?.cause,
    ).toBe('credential-change');
    expect(
      list.refusalOf(ISS, 'bob', undefined, { iat: T0 + 10, auth_time: T0 + 5 }),
    ).toBeUndefined();
    expect(list.refusalOf(ISS, 'bob', undefined, { iat: T0 - 1 })?.cause).toBe('credential-change');
    expect(list.refusalOf(ISS, 'bob', undefined, { iat: T0 + 1 })).toBeUndefined();
  });

  it('refuses a token without a numeric iat once its subject has a revocation', () => {
    const list = listAt({ now: T0 * 1000 });
    expect(list.refusalOf(ISS, 'bob', undefined, {})).toBeUndefined();
    list.revoke(subject('bob'), T0, 'iat', 'sessions-revoked');
    expect(list.refusalOf(ISS, 'bob', undefined, {})?.cause).toBe('sessions-revoked');
    expect(list.refusalOf(ISS, 'bob', undefined, { iat: String(T0 + 10) })?.cause).toBe(
      'sessions-revoked',
    );
  });

  it('moves a not-before time forward only', () => {
    const list = listAt({ now: T0 * 1000 });
    list.revoke(subject('bob'), T0, 'iat', 'later');
    list.revoke(subject('bob'), T0 - 100, 'iat', 'earlier');
    expect(list.refusalOf(ISS, 'bob', undefined, { iat: T0 - 50 })?.cause).toBe('later');
    expect(list.size).toBe(1);
  });

  it('refuses every token of a disabled account until it is enabled, and those issued before the disabling after that', () => {
    const clock = { now: T0 * 1000 };
    const list = listAt(clock);
    list.disable(subject('bob'), T0, 'account-disabled');
    expect(list.refusalOf(ISS, 'bob', undefined, { iat: T0 + 500 })?.cause).toBe(
      'account-disabled',
    );
    clock.now += 10 * 3600 * 1000; // disabling outlives the token lifetime
    expect(list.refusalOf(ISS, 'bob', undefined, { iat: T0 + 9 * 3600 })?.cause).toBe(
      'account-disabled',
    );
    list.enable(subject('bob'));
    expect(list.refusalOf(ISS, 'bob', undefined, { iat: T0 + 9 * 3600 })).toBeUndefined();
    expect(list.refusalOf(ISS, 'bob', undefined, { iat: T0 - 1 })?.cause).toBe('account-disabled');
  });

  it('forgets a revocation once no token it can refuse is valid, and on restore', () => {
    const clock = { now: T0 * 1000 };
    const list = listAt(clock);
    list.revoke(subject('bob'), T0, 'iat', 'session-revoked');
    list.revoke(subject('carol'), T0, 'iat', 'session-revoked');
    expect(list.restore(subject('carol'))).toBe(true);
    expect(list.restore(subject('carol'))).toBe(false);
    expect(list.refusalOf(ISS, 'carol', undefined, { iat: T0 - 1 })).toBeUndefined();
    clock.now += (3600 + 60) * 1000 - 1;
    expect(list.refusalOf(ISS, 'bob', undefined, { iat: T0 - 1 })?.cause).toBe('session-revoked');
    clock.now += 1;
    expect(list.refusalOf(ISS, 'bob', undefined, { iat: T0 - 1 })).toBeUndefined();
    list.revoke(subject('dave'), T0 + 3700, 'iat', 'x');
    expect(list.size).toBe(1);
  });

  it('holds at most maxEntries, dropping the oldest written and keeping disabled accounts longest', () => {
    const list = listAt({ now: T0 * 1000 }, { maxEntries: 3 });
    list.disable(subject('d'), T0, 'account-disabled');
    for (const name of ['a', 'b', 'c', 'e']) list.revoke(subject(name), T0, 'iat', name);
    expect(list.size).toBe(3);
    const refused = ['a', 'b', 'c', 'd', 'e'].filter(
      (name) => list.refusalOf(ISS, name, undefined, { iat: T0 - 1 }) !== undefined,
    );
    expect(refused).toEqual(['c', 'd', 'e']);
  });

  it('answers with the revocation itself: its event, time and details, one object per write', () => {
    const list = listAt({ now: T0 * 1000 });
    list.revoke(subject('bob'), T0, 'iat', 'assurance-level-change', {
      issuedAt: T0 + 1,
      level: 'aal1',
    });
    const first = list.refusalOf(ISS, 'bob', undefined, { iat: T0 - 1 });
    expect(first).toEqual({
      cause: 'assurance-level-change',
      notBefore: T0,
      issuedAt: T0 + 1,
      level: 'aal1',
    });
    expect(list.refusalOf(ISS, 'bob', undefined, { iat: T0 - 2 })).toBe(first);
    expect(list.firstRefusal(first!)).toBe(true);
    expect(list.firstRefusal(first!)).toBe(false);
    list.disable(subject('bob'), T0 + 5, 'account-disabled', { issuedAt: T0 + 6 });
    const disabled = list.refusalOf(ISS, 'bob', undefined, { iat: T0 + 10 });
    expect(disabled).toEqual({ cause: 'account-disabled', notBefore: T0 + 5, issuedAt: T0 + 6 });
    expect(list.firstRefusal(disabled!)).toBe(true);
  });

  it('refuses a bad lifetime or bound at startup', () => {
    const base = { clockToleranceSeconds: 0, maxEntries: 1, maxTokenLifetimeSeconds: 1 };
    expect(() => new RevocationList({ ...base, maxTokenLifetimeSeconds: 0 })).toThrow(
      OidcAuthConfigError,
    );
    expect(() => new RevocationList({ ...base, maxEntries: 0.5 })).toThrow(OidcAuthConfigError);
  });

  // A reference that keeps every revocation and answers by scanning them all.
  it('answers as a list that scans every revocation would (property)', () => {
    const value = fc.constantFrom('a', 'b', 'c');
    const issuer = fc.constantFrom(ISS, 'https://other.example');
    const change = fc.record({
      scope: fc.constantFrom('subject', 'session', 'client' as const),
      issuer,
      value,
      at: fc.integer({ min: T0 - 100, max: T0 }),
      basis: fc.constantFrom('iat', 'auth_time' as const),
    });
    const token = fc.record({
      issuer,
      sub: value,
      sid: fc.option(value, { nil: undefined }),
      client: fc.option(value, { nil: undefined }),
      iat: fc.integer({ min: T0 - 120, max: T0 + 5 }),
      authTime: fc.option(fc.integer({ min: T0 - 200, max: T0 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(change, { maxLength: 12 }), token, (changes, t) => {
        const list = listAt({ now: T0 * 1000 });
        for (const c of changes) {
          list.revoke({ scope: c.scope, issuer: c.issuer, value: c.value }, c.at, c.basis, c.scope);
        }
        const claims = { iat: t.iat, auth_time: t.authTime, sid: t.sid };
        const expected = changes.some((c) => {
          if (c.issuer !== t.issuer) return false;
          const own = { subject: t.sub, session: t.sid, client: t.client }[c.scope];
          if (own !== c.value) return false;
          const time = c.basis === 'iat' ? t.iat : (t.authTime ?? t.iat);
          return time < c.at;
        });
        const answer = list.refusalOf(t.issuer, t.sub, t.client, claims);
        expect(answer !== undefined).toBe(expected);
      }),
      { seed: 20_261_206, numRuns: 2000 },
    );
  });
});
