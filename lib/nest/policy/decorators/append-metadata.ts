/**
 * Like Nest's `SetMetadata`, but adds to what the same key already holds on the same class or
 * method: stacked `@Scopes('a') @Scopes('b')` must require both, where `SetMetadata` would
 * silently keep only one.
 */
export function appendMetadata<T>(key: string, values: readonly T[]) {
  return (target: object, _property?: string | symbol, descriptor?: PropertyDescriptor) => {
    const where: object = descriptor ? descriptor.value : target;
    const existing: T[] = Reflect.getMetadata(key, where) ?? [];
    Reflect.defineMetadata(key, [...existing, ...values], where);
  };
}
