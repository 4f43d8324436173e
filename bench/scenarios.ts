/** What a benchmark server serves (`route`) on which HTTP platform Nest runs over. */
export const PLATFORMS = ['express', 'fastify'] as const;
export type Platform = (typeof PLATFORMS)[number];

export const ROUTES = [
  'bare',
  'noop-guard',
  'raw-verify',
  'guard-warm',
  'guard-cold',
  'guard-churn',
  'tutorial-warm',
  'tutorial-cold',
  'introspect-warm',
  'introspect-cold',
  'raw-dpop',
  'guard-dpop',
  'revocation-empty-warm',
  'revocation-empty-cold',
  'revocation-100k-warm',
  'revocation-100k-cold',
] as const;
export type Route = (typeof ROUTES)[number];

export interface Scenario {
  route: Route;
  platform: Platform;
}

export function scenarioName(scenario: Scenario): string {
  return `${scenario.route}/${scenario.platform}`;
}

/** The members of `all` named in the environment variable `name` (comma-separated; default all). */
export function selected<T extends string>(name: string, all: readonly T[]): T[] {
  const named = (process.env[name] ?? all.join(',')).split(',');
  const unknown = named.filter((n) => !(all as readonly string[]).includes(n));
  if (unknown.length) throw new Error(`${name}: unknown value(s) ${unknown.join(', ')}`);
  return named as T[];
}
