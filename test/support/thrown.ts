/**
 * The error `run` throws, checked to be a `type`: for assertions on its class, reason and message
 * together, which `toThrow` cannot make at once.
 */
export function thrown<E extends Error>(
  type: abstract new (...args: never[]) => E,
  run: () => unknown,
): E {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(type);
    return err as E;
  }
  throw new Error(`expected a ${type.name}`);
}
