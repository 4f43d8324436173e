import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** A program the e2e suites start, and the Debian package that installs it. */
export interface SystemDependency {
  command: string;
  package: string;
  /** What cannot run without it, for the message. */
  neededBy: string;
}

export const SYSTEM_DEPENDENCIES: readonly SystemDependency[] = [
  {
    command: 'chromium',
    package: 'chromium',
    neededBy: 'the real-browser tests (Swagger login, documentation site)',
  },
  {
    command: 'redis-server',
    package: 'redis-server',
    neededBy: 'the Redis store, DPoP replay, rate-limit and sample-app suites',
  },
];

/**
 * The one message that names every dependency `found` does not find, with the command installing
 * them all; `undefined` when nothing is missing. A missing program would otherwise surface as a
 * dozen `spawn ENOENT` failures scattered over several suites, at the end of a long run.
 */
export function missingDependenciesMessage(
  found: (command: string) => boolean,
  dependencies: readonly SystemDependency[] = SYSTEM_DEPENDENCIES,
): string | undefined {
  const missing = dependencies.filter((dependency) => !found(dependency.command));
  if (missing.length === 0) return undefined;
  const named = missing.map((d) => `${d.command} (${d.neededBy})`).join(', ');
  const packages = missing.map((d) => d.package).join(' ');
  return (
    `The e2e suites need programs that are not on PATH: ${named}. Nothing was run. ` +
    `Install them once, as root: apt-get update && apt-get install -y ${packages}`
  );
}

/** The full path of `command` as a shell would find it on `path`, or `undefined`. */
export function executableOnPath(
  command: string,
  path: string = process.env.PATH ?? '',
): string | undefined {
  for (const directory of path.split(delimiter)) {
    if (directory === '') continue;
    const candidate = join(directory, command);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not in this directory, or not executable: the shell would look on too.
    }
  }
  return undefined;
}

/**
 * Jest's globalSetup of the e2e suites (the check above lives in this file because Jest loads a
 * globalSetup outside its module mapping, where `./x.js` would not reach `./x.ts`): on a machine without one of the programs they start, the
 * run stops before any suite, with one message saying what to install, rather than ending with
 * failures scattered over the suites that happened to need it.
 */
export default function preflight(): void {
  const message = missingDependenciesMessage((command) => executableOnPath(command) !== undefined);
  if (message === undefined) return;
  process.stderr.write(`\n${message}\n\n`);
  // Throwing would print Jest's stack trace around the message; exiting leaves the message alone.
  process.exit(1);
}
