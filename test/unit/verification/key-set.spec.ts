import { generateKeyPairSync } from 'node:crypto';
import { InvalidTokenError, KeysUnavailableError } from '../../../lib/protocol/errors.js';
import { KeySet, type VerificationKey } from '../../../lib/verification/key-set.js';

const key = (kid?: string): VerificationKey => ({
  kid,
  alg: 'RS256',
  key: generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey,
});
const K1 = key('k1');
const K2 = key('k2');

/** A loader whose answers the test scripts, counting calls; a clock the test moves. */
function setup(initial: Array<VerificationKey[] | Error>) {
  const answers = [...initial];
  let now = 1_000_000;
  let calls = 0;
  let last: VerificationKey[] | Error = answers[0];
  const load = async () => {
    calls += 1;
    const next = answers.length ? answers.shift()! : last;
    last = next;
    if (next instanceof Error) throw next;
    return next;
  };
  const set = new KeySet('https://idp', load, {
    cooldownMs: 5000,
    maxAgeMs: 60_000,
    now: () => now,
  });
  return {
    set,
    calls: () => calls,
    advance: (ms: number) => (now += ms),
    answer: (next: VerificationKey[] | Error) => answers.push(next),
  };
}

describe('KeySet', () => {
  it('loads on first use and then serves from memory', async () => {
    const t = setup([[K1]]);
    expect(await t.set.get('k1')).toBe(K1);
    expect(await t.set.get('k1')).toBe(K1);
    expect(t.calls()).toBe(1);
  });

  it('refetches for an unknown kid at most once per cooldown', async () => {
    const t = setup([[K1], [K1]]);
    await t.set.get('k1');
    t.advance(5000);
    await expect(t.set.get('nope')).rejects.toThrow(InvalidTokenError);
    await expect(t.set.get('nope-2')).rejects.toThrow(/does not publish/);
    expect(t.calls()).toBe(2);
    t.advance(4999);
    await expect(t.set.get('nope-3')).rejects.toThrow(InvalidTokenError);
    expect(t.calls()).toBe(2);
  });

  it('shares one fetch among concurrent callers', async () => {
    const t = setup([[K1]]);
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) => t.set.get(`random-${i}`)),
    );
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(t.calls()).toBe(1);
  });

  it('picks up a rotated key after the cooldown', async () => {
    const t = setup([[K1], [K2, K1]]);
    await t.set.get('k1');
    await expect(t.set.get('k2')).rejects.toThrow(InvalidTokenError);
    t.advance(5000);
    expect(await t.set.get('k2')).toBe(K2);
  });

  it('answers KeysUnavailableError with a Retry-After when nothing could ever be loaded', async () => {
    const t = setup([new Error('ECONNREFUSED')]);
    const err = await t.set.get('k1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeysUnavailableError);
    expect((err as KeysUnavailableError).retryAfterSeconds).toBe(5);
    t.advance(3000);
    expect(
      ((await t.set.get('k1').catch((e: unknown) => e)) as KeysUnavailableError).retryAfterSeconds,
    ).toBe(2);
    expect(t.calls()).toBe(1);
    expect(t.set.status()).toEqual({
      loaded: false,
      keyCount: 0,
      fetchedAt: undefined,
      lastError: 'ECONNREFUSED',
    });
  });

  it('retries a failed fetch after the cooldown instead of remembering the failure', async () => {
    const t = setup([new Error('HTTP 500'), [K1]]);
    await expect(t.set.get('k1')).rejects.toThrow(KeysUnavailableError);
    t.advance(5000);
    expect(await t.set.get('k1')).toBe(K1);
    expect(t.set.status().lastError).toBeUndefined();
  });

  it('keeps serving the last good keys when a refresh fails', async () => {
    const t = setup([[K1], new Error('down')]);
    await t.set.get('k1');
    t.advance(61_000);
    expect(await t.set.get('k1')).toBe(K1);
    await new Promise((r) => setImmediate(r));
    expect(t.calls()).toBe(2);
    expect(t.set.status()).toMatchObject({ loaded: true, keyCount: 1, lastError: 'down' });
    expect(await t.set.get('k1')).toBe(K1);
  });

  it('refreshes stale keys in the background while serving them', async () => {
    const t = setup([[K1], [K2, K1]]);
    await t.set.get('k1');
    t.advance(61_000);
    expect(await t.set.get('k1')).toBe(K1);
    await new Promise((r) => setImmediate(r));
    expect(await t.set.get('k2')).toBe(K2);
    expect(t.calls()).toBe(2);
  });

  it('uses the only key for a token without kid, and refuses to guess among several', async () => {
    const single = setup([[key()]]);
    await expect(single.set.get(undefined)).resolves.toBeDefined();
    const several = setup([[K1, K2]]);
    await expect(several.set.get(undefined)).rejects.toThrow(
      /no kid and the issuer publishes several keys/,
    );
  });

  it('tells the listener about each successful refresh', async () => {
    const seen: string[][] = [];
    const set = new KeySet(
      'https://idp',
      async () => [K1, K2],
      { cooldownMs: 0, maxAgeMs: 1000 },
      (keys) => seen.push(keys.map((k) => k.kid!)),
    );
    await set.warmUp();
    expect(seen).toEqual([['k1', 'k2']]);
  });
});
