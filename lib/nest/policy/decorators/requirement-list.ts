/**
 * Checks the values of `@Scopes`-like decorators where the mistake is made, at class definition.
 * Items are matched exactly, so one holding a space could never match a space-separated claim.
 */
export function requirementList(decorator: string, values: readonly string[]): string[] {
  if (values.length === 0) throw new TypeError(`@${decorator}() needs at least one value`);
  for (const value of values) {
    if (typeof value !== 'string' || value === '' || /\s/.test(value)) {
      throw new TypeError(
        `@${decorator}() values must be non-empty strings without spaces, got ${JSON.stringify(value)}`,
      );
    }
  }
  return [...values];
}
