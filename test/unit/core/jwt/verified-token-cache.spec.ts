import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { OidcPrincipal } from '../../../../lib/core/claims/principal.js';
import { VerifiedTokenCache } from '../../../../lib/core/jwt/verified-token-cache.js';

const principal = (expSeconds: number) =>
  new OidcPrincipal(
    'alice',
    'https://idp',
    ['api'],
    new Date(expSeconds * 1000),
    { scopes: [], roles: [], isAppOnly: false },
    {},
  );

const K1 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
const K2 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
/** The same key as imported again by a later fetch: another KeyObject, the same material. */
const K2_AGAIN = createPublicKey({ key: K2.export({ format: 'jwk' }), format: 'jwk' });

/** Tokens are admitted on their second verification; these tests are about what happens after. */
function store(c: VerifiedTokenCache, ...args: Parameters<VerifiedTokenCache['set']>) {
  c.set(...args);
  c.set(...args);
}

describe('VerifiedTokenCache', () => {
  let now = 1_000_000_000_000;
  const cache = (maxEntries = 10) =>
    new VerifiedTokenCache({ maxEntries, clockToleranceSeconds: 60, now: () => now });

  it('admits a token on its second verification, so one-off tokens do not churn it', () => {
    const c = cache();
    const p = principal(now / 1000 + 300);
    c.set('once', p, 'https://idp', 'k1', K1);
    expect(c.get('once')).toBeUndefined();
    expect(c.size).toBe(0);
    c.set('once', p, 'https://idp', 'k1', K1);
    expect(c.get('once')).toBe(p);
  });

  it('admits next to none of a long stream of one-off tokens', () => {
    const c = cache(10_000);
    const p = principal(now / 1000 + 300);
    for (let i = 0; i < 100_000; i += 1) c.set(`one-off-${i}`, p, 'https://idp', 'k1', K1);
    expect(c.size).toBeLessThan(10);
  });

  it('returns the principal for the same token only', () => {
    const c = cache();
    const p = principal(now / 1000 + 300);
    store(c, 'a.b.c', p, 'https://idp', 'k1', K1);
    expect(c.get('a.b.c')).toBe(p);
    expect(c.get('a.b.d')).toBeUndefined();
    expect(c.get('a.b.c ')).toBeUndefined();
  });

  it("serves no token that only ends like a cached one (entries are found by the signature's end)", () => {
    const c = cache();
    const p = principal(now / 1000 + 300);
    const signature = 'x'.repeat(300) + 'abcdefghijklmnopQ';
    store(c, `header.payload.${signature}`, p, 'https://idp', 'k1', K1);
    expect(c.get(`header.payload.${signature}`)).toBe(p);
    expect(c.get(`header.payloaD.${signature}`)).toBeUndefined();
    expect(c.get(`other.${'y'.repeat(300)}abcdefghijklmnopQ`)).toBeUndefined();
    expect(c.get(`header.payload.${signature}`)).toBe(p);
  });

  it('forgets an entry once its token is expired beyond the tolerance', () => {
    const c = cache();
    store(c, 't', principal(now / 1000 + 10), 'https://idp', 'k1', K1);
    now += 69_000;
    expect(c.get('t')).toBeDefined();
    now += 1_000;
    expect(c.get('t')).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('does not store a token that is already expired', () => {
    const c = cache();
    store(c, 't', principal(now / 1000 - 61), 'https://idp', 'k1', K1);
    expect(c.size).toBe(0);
  });

  it('evicts the least recently used beyond its bound', () => {
    const c = cache(2);
    const p = principal(now / 1000 + 300);
    store(c, 'a', p, 'i', 'k', K1);
    store(c, 'b', p, 'i', 'k', K1);
    c.get('a');
    store(c, 'c', p, 'i', 'k', K1);
    expect([c.get('a'), c.get('b'), c.get('c')].map(Boolean)).toEqual([true, false, true]);
  });

  it('once full, replaces its entries for one in 16 second sightings only', () => {
    const c = cache(4);
    const p = principal(now / 1000 + 300);
    for (const t of ['a', 'b', 'c', 'd']) store(c, t, p, 'i', 'k', K1);
    const admitted = [
      'e',
      'f',
      'g',
      'h',
      'i',
      'j',
      'k',
      'l',
      'm',
      'n',
      'o',
      'p',
      'q',
      'r',
      's',
      't',
    ]
      .map((t) => {
        store(c, t, p, 'i', 'k', K1);
        return c.get(t) !== undefined;
      })
      .filter(Boolean);
    expect(admitted).toHaveLength(1);
    expect(c.size).toBe(4);
  });

  it('serves part of a cycling set of more tokens than it holds, where plain LRU serves none', () => {
    const c = cache(100);
    const p = principal(now / 1000 + 300);
    let hits = 0;
    for (let pass = 0; pass < 10; pass += 1) {
      for (let i = 0; i < 150; i += 1) {
        if (c.get(`t${i}`)) hits += 1;
        else c.set(`t${i}`, p, 'i', 'k', K1);
      }
    }
    // Passes 1-2 fill it; from the third on, most of its 100 entries are hit on every pass.
    expect(hits).toBeGreaterThan(500);
  });

  it('admits a token a client keeps repeating within 16 more verifications once full', () => {
    const c = cache(4);
    const p = principal(now / 1000 + 300);
    for (const t of ['a', 'b', 'c', 'd']) store(c, t, p, 'i', 'k', K1);
    c.set('x', p, 'i', 'k', K1);
    c.set('y', p, 'i', 'k', K1);
    c.set('y', p, 'i', 'k', K1);
    let verifications = 0;
    while (!c.get('x') && verifications < 100) {
      c.set('x', p, 'i', 'k', K1);
      verifications += 1;
    }
    expect(verifications).toBeLessThanOrEqual(16);
  });

  it('drops tokens of keys their issuer no longer publishes, and only those', () => {
    const c = cache();
    const p = principal(now / 1000 + 300);
    store(c, 'old', p, 'https://idp', 'k1', K1);
    store(c, 'new', p, 'https://idp', 'k2', K2);
    store(c, 'elsewhere', p, 'https://other', 'k1', K1);
    c.retainKeys('https://idp', [{ kid: 'k2', key: K2_AGAIN }]);
    expect([c.get('old'), c.get('new'), c.get('elsewhere')].map(Boolean)).toEqual([
      false,
      true,
      true,
    ]);
  });

  it('drops tokens of a kid-less key when the issuer rotates to another kid-less key', () => {
    const c = cache();
    const p = principal(now / 1000 + 300);
    store(c, 'old', p, 'https://idp', undefined, K1);
    store(c, 'new', p, 'https://idp', undefined, K2);
    c.retainKeys('https://idp', [{ key: K2_AGAIN }]);
    expect([c.get('old'), c.get('new')].map(Boolean)).toEqual([false, true]);
  });

  it('drops tokens whose kid now names different key material', () => {
    const c = cache();
    const p = principal(now / 1000 + 300);
    store(c, 'reused-kid', p, 'https://idp', 'k1', K1);
    store(c, 'moved', p, 'https://idp', 'k2', K2);
    c.retainKeys('https://idp', [
      { kid: 'k1', key: K2_AGAIN },
      { kid: 'k3', key: K2 },
    ]);
    expect([c.get('reused-kid'), c.get('moved')].map(Boolean)).toEqual([false, false]);
  });
});
