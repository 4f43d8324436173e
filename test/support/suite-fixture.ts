import { LocalIssuer } from '../../lib/testing/index.js';

/**
 * What `start` makes, made before the tests of the enclosing `describe` and given to `stop` after
 * them. The suite reads it through the stand-in returned here, as the value itself, so that a
 * server or key it shares costs one line instead of a `let` and two hooks.
 */
export function suiteFixture<T extends object>(
  start: () => Promise<T>,
  stop: (value: T) => unknown = () => undefined,
): T {
  let current: T | undefined;
  let starting: Promise<T> | undefined;
  beforeAll(async () => {
    starting = start();
    current = await starting;
  });
  // Waits for a start that outlived its hook's timeout, so that what it opened is closed anyway:
  // a server left listening keeps Jest from exiting after the run.
  afterAll(async () => {
    const started = await starting?.catch(() => undefined);
    if (started !== undefined) await stop(started);
  });
  const value = (): T => {
    if (current === undefined) throw new Error('a suite fixture was read before its beforeAll');
    return current;
  };
  return new Proxy({} as T, {
    get(_, key) {
      const member: unknown = Reflect.get(value(), key);
      // Bound, so that methods keep their object when passed around (`.map(issuer.mint)`).
      return typeof member === 'function' ? member.bind(value()) : member;
    },
    set: (_, key, member) => Reflect.set(value(), key, member),
    has: (_, key) => Reflect.has(value(), key),
    ownKeys: () => Reflect.ownKeys(value()),
    getOwnPropertyDescriptor: (_, key) => Reflect.getOwnPropertyDescriptor(value(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(value()),
  });
}

/** A `LocalIssuer` for the tests of the enclosing `describe`. */
export function suiteIssuer(options?: Parameters<typeof LocalIssuer.start>[0]): LocalIssuer {
  return suiteFixture(
    () => LocalIssuer.start(options),
    (issuer) => issuer.stop(),
  );
}
