import { generateKeyPairSync } from 'node:crypto';
import { InvalidTokenError, KeysUnavailableError } from '../../../../lib/protocol/errors/errors.js';
import { KeySet, type VerificationKey } from '../../../../lib/core/keys/key-set.js';

const rsaKey = (kid?: string): VerificationKey => ({
  kid,
  alg: 'RS256',
  key: generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey,
});
const ecKey = (kid: string): VerificationKey => ({
  kid,
  alg: 'ES256',
  key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey,
});
const K1 = rsaKey('k1');
const K2 = rsaKey('k2');
const K3 = ecKey('k3');

const COOLDOWN = 5_000;
const MAX_AGE = 60_000;
// Real milliseconds (the wait is a timer, not the injected clock); held fetches outlast it.
const MAX_WAIT = 1_000;
const T0 = 1_700_000_000_000;

type Answer = VerificationKey[] | Error;

/**
 * A KeySet on a clock the test moves, over a fake loader that counts its calls. Each call takes the
 * next scripted answer (repeating the last one), resolved at once, or only when `release()` is
 * called when `hold` is on: the test then decides when a fetch completes.
 */
function setup(
  script: Answer[],
  options: { cooldownMs?: number; maxAgeMs?: number; maxWaitMs?: number } = {},
) {
  const answers = [...script];
  let last: Answer = answers[0];
  let now = T0;
  let calls = 0;
  let hold = false;
  const waiting: Array<() => void> = [];
  const refreshed: string[][] = [];
  const load = (): Promise<VerificationKey[]> => {
    calls += 1;
    const next = answers.length ? answers.shift()! : last;
    last = next;
    const settle = (resolve: (k: VerificationKey[]) => void, reject: (e: Error) => void) =>
      next instanceof Error ? reject(next) : resolve(next);
    return new Promise((resolve, reject) => {
      if (hold) waiting.push(() => settle(resolve, reject));
      else settle(resolve, reject);
    });
  };
  const set = new KeySet(
    'https://idp.example',
    load,
    {
      cooldownMs: options.cooldownMs ?? COOLDOWN,
      maxAgeMs: options.maxAgeMs ?? MAX_AGE,
      maxWaitMs: options.maxWaitMs ?? MAX_WAIT,
      now: () => now,
    },
    (keys) => refreshed.push(keys.map((k) => k.kid ?? '?')),
  );
  return {
    set,
    refreshed,
    calls: () => calls,
    advance: (ms: number) => (now += ms),
    now: () => now,
    hold: () => (hold = true),
    release: async () => {
      hold = false;
      waiting.splice(0).forEach((settle) => settle());
      await flush();
    },
  };
}

/** Lets settled fetches run their continuations. */
const flush = () => new Promise((resolve) => setImmediate(resolve));

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

describe('KeySet', () => {
  describe('loading', () => {
    it('loads on the first get, then serves from memory', async () => {
      const t = setup([[K1, K2]]);
      expect(t.calls()).toBe(0);
      expect(await t.set.get('k1', 'RS256')).toBe(K1);
      expect(await t.set.get('k2', 'RS256')).toBe(K2);
      expect(await t.set.get('k1', 'RS256')).toBe(K1);
      expect(t.calls()).toBe(1);
    });

    it('tells the listener about each successful fetch, and not about failures', async () => {
      const t = setup([[K1], new Error('down'), [K1, K2]]);
      await t.set.get('k1', 'RS256');
      t.advance(COOLDOWN);
      await errorOf(t.set.get('k2', 'RS256'));
      t.advance(COOLDOWN);
      await t.set.get('k2', 'RS256');
      expect(t.refreshed).toEqual([['k1'], ['k1', 'k2']]);
    });

    it('fetches on warmUp even within the cooldown, and resolves when that fetch fails', async () => {
      const t = setup([[K1], new Error('HTTP 502')]);
      await t.set.warmUp();
      expect(t.calls()).toBe(1);
      await expect(t.set.warmUp()).resolves.toBeUndefined();
      expect(t.calls()).toBe(2);
      expect(t.set.status()).toMatchObject({ loaded: true, keyCount: 1, lastError: 'HTTP 502' });
    });
  });

  describe('unknown kid', () => {
    it('refetches at most once per cooldown', async () => {
      const t = setup([[K1]]);
      await t.set.get('k1', 'RS256');
      // Within the cooldown of the first fetch: no fetch at all.
      const early = await errorOf(t.set.get('forged-1', 'RS256'));
      expect(early).toBeInstanceOf(InvalidTokenError);
      expect((early as InvalidTokenError).reason).toBe('unknown_kid');
      expect((early as InvalidTokenError).message).toBe(
        'The token was signed with a key the issuer does not publish',
      );
      expect(t.calls()).toBe(1);
      // The cooldown has passed: one fetch, then none for the rest of the window.
      t.advance(COOLDOWN);
      await errorOf(t.set.get('forged-2', 'RS256'));
      expect(t.calls()).toBe(2);
      for (let i = 0; i < 20; i += 1) {
        t.advance(COOLDOWN / 20 - 1);
        await errorOf(t.set.get(`forged-${i + 3}`, 'RS256'));
      }
      expect(t.calls()).toBe(2);
      t.advance(20);
      await errorOf(t.set.get('forged-last', 'RS256'));
      expect(t.calls()).toBe(3);
    });

    it('shares one fetch among 100 concurrent cold gets (single flight)', async () => {
      const t = setup([[K1]]);
      t.hold();
      const settled = Promise.allSettled(
        Array.from({ length: 100 }, (_, i) => t.set.get(`unknown-${i}`, 'RS256')),
      );
      expect(t.calls()).toBe(1);
      await t.release();
      const results = await settled;
      expect(results.every((r) => r.status === 'rejected')).toBe(true);
      expect(
        results.every(
          (r) =>
            r.status === 'rejected' && (r.reason as InvalidTokenError).reason === 'unknown_kid',
        ),
      ).toBe(true);
      expect(t.calls()).toBe(1);
    });

    it('shares the fetch in flight even without a cooldown to hold callers back', async () => {
      // cooldownMs 0 isolates single flight from rate limiting: callers arriving while a fetch is
      // pending must join it rather than start their own.
      const t = setup([[K1]], { cooldownMs: 0 });
      t.hold();
      const settled = Promise.allSettled(
        Array.from({ length: 100 }, (_, i) => t.set.get(`unknown-${i}`, 'RS256')),
      );
      expect(t.calls()).toBe(1);
      await t.release();
      await settled;
      // One cold load, then one refetch for the unknown kids, shared by all 100 of them.
      expect(t.calls()).toBe(2);
    });

    it('shares one refetch among 100 concurrent unknown kids once keys are loaded', async () => {
      const t = setup([[K1], [K1, K2]]);
      await t.set.get('k1', 'RS256');
      t.advance(COOLDOWN);
      t.hold();
      const settled = Promise.allSettled([
        ...Array.from({ length: 99 }, (_, i) => t.set.get(`forged-${i}`, 'RS256')),
        t.set.get('k2', 'RS256'),
      ]);
      await t.release();
      const results = await settled;
      expect(results.filter((r) => r.status === 'rejected')).toHaveLength(99);
      expect(results[99]).toEqual({ status: 'fulfilled', value: K2 });
      expect(t.calls()).toBe(2);
    });

    it('finds a key the issuer added once the cooldown has passed', async () => {
      const t = setup([[K1], [K1, K2, K3]]);
      await t.set.get('k1', 'RS256');
      t.advance(1_000);
      await expect(t.set.get('k3', 'ES256')).rejects.toThrow(InvalidTokenError);
      expect(t.calls()).toBe(1);
      t.advance(COOLDOWN - 1_000);
      expect(await t.set.get('k3', 'ES256')).toBe(K3);
      expect(await t.set.get('k2', 'RS256')).toBe(K2);
      expect(t.calls()).toBe(2);
    });

    it('forgets a key the issuer removed after a refetch', async () => {
      const t = setup([[K1, K2], [K2]]);
      expect(await t.set.get('k1', 'RS256')).toBe(K1);
      t.advance(COOLDOWN);
      await errorOf(t.set.get('k3', 'ES256'));
      await expect(t.set.get('k1', 'RS256')).rejects.toThrow(/does not publish/);
    });
  });

  describe('failures', () => {
    it('answers KeysUnavailableError with a Retry-After of at least 1 s when nothing is cached', async () => {
      const t = setup([new Error('connect ECONNREFUSED 10.0.0.1:443')]);
      const err = await errorOf(t.set.get('k1', 'RS256'));
      expect(err).toBeInstanceOf(KeysUnavailableError);
      expect(err).toMatchObject({
        reason: 'jwks_unavailable',
        issuer: 'https://idp.example',
        retryAfterSeconds: 5,
      });
      t.advance(3_200);
      expect(await errorOf(t.set.get('k1', 'RS256'))).toMatchObject({ retryAfterSeconds: 2 });
      t.advance(1_700);
      expect(await errorOf(t.set.get('k1', 'RS256'))).toMatchObject({ retryAfterSeconds: 1 });
      expect(t.calls()).toBe(1);
    });

    it('never advertises a Retry-After below 1 s, even with a short cooldown', async () => {
      const t = setup([new Error('timeout')], { cooldownMs: 200 });
      const err = (await errorOf(t.set.get('k1', 'RS256'))) as KeysUnavailableError;
      expect(err).toBeInstanceOf(KeysUnavailableError);
      expect(err.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(Number.isInteger(err.retryAfterSeconds)).toBe(true);
    });

    it('advertises Retry-After 1 when the failed fetch itself outlasted the cooldown', async () => {
      const t = setup([new Error('timeout after 8000 ms')]);
      t.hold();
      const pending = errorOf(t.set.get('k1', 'RS256'));
      t.advance(COOLDOWN + 3_000);
      await t.release();
      const err = (await pending) as KeysUnavailableError;
      expect(err).toBeInstanceOf(KeysUnavailableError);
      expect(err.retryAfterSeconds).toBe(1);
    });

    it('answers every concurrent cold get with KeysUnavailableError after one failed fetch', async () => {
      const t = setup([new Error('HTTP 503')]);
      t.hold();
      const settled = Promise.allSettled(
        Array.from({ length: 100 }, () => t.set.get('k1', 'RS256')),
      );
      await t.release();
      const results = await settled;
      expect(
        results.every((r) => r.status === 'rejected' && r.reason instanceof KeysUnavailableError),
      ).toBe(true);
      expect(t.calls()).toBe(1);
    });

    it('retries a failed fetch after the cooldown instead of remembering the failure', async () => {
      const t = setup([new Error('HTTP 500'), [K1]]);
      await expect(t.set.get('k1', 'RS256')).rejects.toThrow(KeysUnavailableError);
      t.advance(COOLDOWN - 1);
      await expect(t.set.get('k1', 'RS256')).rejects.toThrow(KeysUnavailableError);
      expect(t.calls()).toBe(1);
      t.advance(1);
      expect(await t.set.get('k1', 'RS256')).toBe(K1);
      expect(t.calls()).toBe(2);
      expect(t.set.status().lastError).toBeUndefined();
    });

    it('keeps serving the last good keys when a refresh fails, and answers unknown kids 503', async () => {
      const t = setup([[K1], new Error('HTTP 500')]);
      await t.set.get('k1', 'RS256');
      t.advance(COOLDOWN);
      // The refresh an unknown kid triggers fails: the key may have been rotated in, so this is
      // "cannot verify right now", not "invalid token".
      const err = await errorOf(t.set.get('k9', 'RS256'));
      expect(err).toBeInstanceOf(KeysUnavailableError);
      expect(err).toMatchObject({ reason: 'jwks_unavailable', retryAfterSeconds: 5 });
      expect(t.calls()).toBe(2);
      expect(await t.set.get('k1', 'RS256')).toBe(K1);
      expect(t.set.status()).toMatchObject({ loaded: true, keyCount: 1, lastError: 'HTTP 500' });
    });

    it('answers unknown kids 503 within the cooldown of a failed fetch, 401 once a fetch succeeds', async () => {
      const t = setup([[K1], new Error('HTTP 500'), [K1]]);
      await t.set.get('k1', 'RS256');
      t.advance(COOLDOWN);
      await errorOf(t.set.get('k9', 'RS256'));
      t.advance(COOLDOWN / 2);
      const during = await errorOf(t.set.get('k10', 'RS256'));
      expect(during).toMatchObject({ reason: 'jwks_unavailable', retryAfterSeconds: 3 });
      expect(t.calls()).toBe(2);
      t.advance(COOLDOWN / 2);
      expect(await errorOf(t.set.get('k11', 'RS256'))).toMatchObject({ reason: 'unknown_kid' });
      expect(t.calls()).toBe(3);
      // Within the cooldown of that successful fetch: refused at once, no fetch.
      expect(await errorOf(t.set.get('k12', 'RS256'))).toMatchObject({ reason: 'unknown_kid' });
      expect(t.calls()).toBe(3);
    });

    it('costs one fetch per cooldown for a flood of unknown kids while the issuer is down', async () => {
      const t = setup([[K1], new Error('ECONNREFUSED')]);
      await t.set.get('k1', 'RS256');
      t.advance(COOLDOWN);
      const results = await Promise.allSettled(
        Array.from({ length: 100 }, (_, i) => t.set.get(`forged-${i}`, 'RS256')),
      );
      expect(
        results.every((r) => r.status === 'rejected' && r.reason instanceof KeysUnavailableError),
      ).toBe(true);
      expect(t.calls()).toBe(2);
    });

    it('records non-Error rejections as strings', async () => {
      const set = new KeySet('https://idp', () => Promise.reject('plain string'), {
        cooldownMs: COOLDOWN,
        maxAgeMs: MAX_AGE,
        maxWaitMs: MAX_WAIT,
        now: () => T0,
      });
      await errorOf(set.get('k1', 'RS256'));
      expect(set.status().lastError).toBe('plain string');
    });
  });

  describe('a fetch that hangs', () => {
    it('answers the first get 503 after maxWaitMs, and later gets use the fetch once it lands', async () => {
      const t = setup([[K1]], { maxWaitMs: 20 });
      t.hold();
      const started = Date.now();
      const err = await errorOf(t.set.get('k1', 'RS256'));
      expect(err).toBeInstanceOf(KeysUnavailableError);
      expect(Date.now() - started).toBeLessThan(MAX_WAIT);
      // A second caller joins the fetch in flight rather than starting another.
      await errorOf(t.set.get('k1', 'RS256'));
      expect(t.calls()).toBe(1);
      await t.release();
      expect(await t.set.get('k1', 'RS256')).toBe(K1);
      expect(t.calls()).toBe(1);
    });

    it('answers an unknown kid 503 after maxWaitMs while its refetch is pending', async () => {
      const t = setup([[K1], [K1, K2]], { maxWaitMs: 20 });
      await t.set.get('k1', 'RS256');
      t.advance(COOLDOWN);
      t.hold();
      expect(await errorOf(t.set.get('k2', 'RS256'))).toBeInstanceOf(KeysUnavailableError);
      expect(t.calls()).toBe(2);
      await t.release();
      expect(await t.set.get('k2', 'RS256')).toBe(K2);
      expect(t.calls()).toBe(2);
    });

    it('does not make a get wait when the fetch lands within maxWaitMs', async () => {
      const t = setup([[K1]]);
      t.hold();
      const pending = t.set.get('k1', 'RS256');
      await t.release();
      expect(await pending).toBe(K1);
    });
  });

  describe('staleness', () => {
    it('serves stale keys at once and refreshes them in the background', async () => {
      const t = setup([[K1], [K1, K2]]);
      await t.set.get('k1', 'RS256');
      t.advance(MAX_AGE + 1);
      t.hold();
      // Resolves although the refresh is still pending.
      expect(await t.set.get('k1', 'RS256')).toBe(K1);
      expect(t.calls()).toBe(2);
      await t.release();
      expect(t.set.status()).toMatchObject({ keyCount: 2, fetchedAt: new Date(t.now()) });
      expect(await t.set.get('k2', 'RS256')).toBe(K2);
      expect(t.calls()).toBe(2);
    });

    it('does not refresh keys younger than maxAgeMs', async () => {
      const t = setup([[K1]]);
      await t.set.get('k1', 'RS256');
      t.advance(MAX_AGE);
      await t.set.get('k1', 'RS256');
      await flush();
      expect(t.calls()).toBe(1);
    });

    it('keeps serving stale keys while refreshes fail, retrying once per cooldown', async () => {
      const t = setup([[K1], new Error('down')]);
      await t.set.get('k1', 'RS256');
      t.advance(MAX_AGE + 1);
      expect(await t.set.get('k1', 'RS256')).toBe(K1);
      await flush();
      expect(await t.set.get('k1', 'RS256')).toBe(K1);
      await flush();
      expect(t.calls()).toBe(2);
      t.advance(COOLDOWN);
      expect(await t.set.get('k1', 'RS256')).toBe(K1);
      await flush();
      expect(t.calls()).toBe(3);
      expect(t.set.status().lastError).toBe('down');
    });
  });

  describe('peek', () => {
    it('answers without fetching: nothing before the first load, the key after', async () => {
      const t = setup([[K1]]);
      expect(t.set.peek('k1', 'RS256')).toBeUndefined();
      expect(t.calls()).toBe(0);
      await t.set.warmUp();
      expect(t.set.peek('k1', 'RS256')).toBe(K1);
      expect(t.set.peek('k2', 'RS256')).toBeUndefined();
      expect(t.calls()).toBe(1);
    });

    it('starts a background refresh for stale keys while answering from memory', async () => {
      const t = setup([[K1], [K2]]);
      await t.set.warmUp();
      t.advance(MAX_AGE + 1);
      expect(t.set.peek('k1', 'RS256')).toBe(K1);
      expect(t.calls()).toBe(2);
      await flush();
      expect(t.set.peek('k2', 'RS256')).toBe(K2);
    });
  });

  describe('tokens without kid', () => {
    it('uses the only key of the set', async () => {
      const only = rsaKey();
      const t = setup([[only]]);
      expect(await t.set.get(undefined, 'RS256')).toBe(only);
    });

    it('refuses to guess among several keys', async () => {
      const t = setup([[K1, K2]]);
      const err = await errorOf(t.set.get(undefined, 'RS256'));
      expect(err).toBeInstanceOf(InvalidTokenError);
      expect(err).toMatchObject({
        reason: 'unknown_kid',
        message: 'The token has no kid and the issuer publishes no single key for its algorithm',
      });
    });
  });

  describe('keys sharing a kid (RFC 7517 §4.5)', () => {
    const ecKeyOf = (kid: string, namedCurve: string, alg?: string): VerificationKey => ({
      kid,
      alg,
      key: generateKeyPairSync('ec', { namedCurve }).publicKey,
    });
    const rsaShared = { ...rsaKey('shared'), alg: undefined };
    const p256Shared = ecKeyOf('shared', 'P-256');
    const p384Shared = ecKeyOf('shared', 'P-384');

    it('picks the key whose type and curve fit the algorithm, whatever the order', async () => {
      for (const keys of [
        [rsaShared, p256Shared, p384Shared],
        [p384Shared, p256Shared, rsaShared],
      ]) {
        const t = setup([keys]);
        expect(await t.set.get('shared', 'ES256')).toBe(p256Shared);
        expect(await t.set.get('shared', 'ES384')).toBe(p384Shared);
        expect(await t.set.get('shared', 'PS256')).toBe(rsaShared);
        expect(t.set.peek('shared', 'RS512')).toBe(rsaShared);
      }
    });

    it('skips a key whose JWK names another algorithm', async () => {
      const rs256 = { ...rsaKey('shared'), alg: 'RS256' };
      const ps256 = { ...rsaKey('shared'), alg: 'PS256' };
      const t = setup([[rs256, ps256]]);
      expect(await t.set.get('shared', 'PS256')).toBe(ps256);
      expect(await t.set.get('shared', 'RS256')).toBe(rs256);
    });

    it('answers a known kid without a fitting key with that key, after at most one refetch', async () => {
      const t = setup([[K1]]);
      // K1 is RSA: the verifier refuses it for ES256 as key_mismatch, naming why.
      expect(await t.set.get('k1', 'ES256')).toBe(K1);
      expect(t.set.peek('k1', 'ES256')).toBeUndefined();
      t.advance(COOLDOWN);
      expect(await t.set.get('k1', 'ES256')).toBe(K1);
      expect(t.calls()).toBe(2);
    });

    it('refuses a kid naming two keys that both fit the algorithm, rather than pick one', async () => {
      const first = { ...rsaKey('pair'), alg: undefined };
      const second = { ...rsaKey('pair'), alg: undefined };
      const ec = { ...ecKey('pair'), alg: undefined };
      const t = setup([[first, second, ec]]);
      expect(await errorOf(t.set.get('pair', 'RS256'))).toMatchObject({
        reason: 'unknown_kid',
        message: 'The issuer publishes several keys under the token kid; none can be chosen',
      });
      expect(t.set.peek('pair', 'PS256')).toBeUndefined();
      expect(await t.set.get('pair', 'ES256')).toBe(ec);
    });
  });

  describe('tokens without kid, by algorithm', () => {
    it('uses the one key that fits the algorithm among keys of other types', async () => {
      const rsa = rsaKey();
      const ec = { ...ecKey('x'), kid: undefined };
      const t = setup([[rsa, ec]]);
      expect(await t.set.get(undefined, 'ES256')).toBe(ec);
      expect(await t.set.get(undefined, 'RS256')).toBe(rsa);
    });

    it('refuses when two keys fit', async () => {
      const t = setup([[K1, K2, K3]]);
      expect(await t.set.get(undefined, 'ES256')).toBe(K3);
      expect(await errorOf(t.set.get(undefined, 'RS256'))).toMatchObject({
        reason: 'unknown_kid',
      });
    });
  });

  describe('status', () => {
    it('reports nothing loaded before the first fetch', () => {
      expect(setup([[K1]]).set.status()).toEqual({
        loaded: false,
        keyCount: 0,
        fetchedAt: undefined,
        lastError: undefined,
      });
    });

    it('reports the key count and fetch time after a fetch', async () => {
      const t = setup([[K1, K2, K3]]);
      await t.set.warmUp();
      expect(t.set.status()).toEqual({
        loaded: true,
        keyCount: 3,
        fetchedAt: new Date(T0),
        lastError: undefined,
      });
    });

    it('reports the last error while nothing is loaded', async () => {
      const t = setup([new Error('getaddrinfo ENOTFOUND idp.example')]);
      await t.set.warmUp();
      expect(t.set.status()).toEqual({
        loaded: false,
        keyCount: 0,
        fetchedAt: undefined,
        lastError: 'getaddrinfo ENOTFOUND idp.example',
      });
    });
  });
});
