import { setTimeout as sleep } from 'node:timers/promises';
import { MemoryStore, OidcAuthConfigError } from '../../../../lib/index.js';

describe('MemoryStore', () => {
  it('stores a key once: a second setIfAbsent loses until the entry expires', async () => {
    const store = new MemoryStore();
    // Long enough that a loaded machine pausing this process between two calls cannot expire it.
    expect(store.setIfAbsent('jti:1', 'x', 500)).toBe(true);
    expect(store.setIfAbsent('jti:1', 'y', 500)).toBe(false);
    expect(store.get('jti:1')).toBe('x');
    await sleep(600);
    expect(store.get('jti:1')).toBeUndefined();
    expect(store.setIfAbsent('jti:1', 'z', 1_000)).toBe(true);
  });

  it('replaces with set, and never keeps an entry forever (a ttl of 0 still ends)', async () => {
    const store = new MemoryStore();
    store.set('k', 'a', 5_000);
    store.set('k', 'b', 0);
    expect(store.get('k')).toBe('b');
    await sleep(20);
    expect(store.get('k')).toBeUndefined();
  });

  it('stays within maxEntries, dropping the least recently used', () => {
    const store = new MemoryStore({ maxEntries: 2 });
    store.set('a', '1', 60_000);
    store.set('b', '2', 60_000);
    store.get('a');
    store.set('c', '3', 60_000);
    expect([store.get('a'), store.get('b'), store.get('c')]).toEqual(['1', undefined, '3']);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses maxEntries %p', (maxEntries) => {
    expect(() => new MemoryStore({ maxEntries })).toThrow(OidcAuthConfigError);
  });
});
