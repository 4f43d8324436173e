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

/** The error `promise` rejects with, checked to be a `type`: `thrown` for asynchronous work. */
export async function rejected<E extends Error>(
  type: abstract new (...args: never[]) => E,
  promise: Promise<unknown>,
): Promise<E> {
  const err = await promise.then(
    () => {
      throw new Error(`expected a ${type.name}`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(type);
  return err as E;
}
