import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { LocalIssuer } from '../lib/testing/index.js';
import { type Scenario, scenarioName } from './scenarios.js';

/**
 * Starts `server.js` for `scenario` in its own process and resolves once it listens. Its output
 * is read and dropped, so a server that logs never blocks on a full pipe.
 */
export async function spawnServer(
  scenario: Scenario,
  port: number,
  issuer: LocalIssuer,
  env: Record<string, string> = {},
): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_NODE_OPTIONS?.split(' ').filter(Boolean) ?? []),
      join(import.meta.dirname, 'server.js'),
      scenario.route,
      scenario.platform,
      String(port),
      issuer.issuer,
      issuer.audience,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } },
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${scenarioName(scenario)} did not start`)),
      20_000,
    );
    const onExit = (code: number | null) =>
      reject(new Error(`${scenarioName(scenario)} exited with ${code}`));
    child.once('exit', onExit);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.includes('ready')) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve();
      }
    });
  });
  return child;
}

/** Stops a server and waits for it to exit (and, under `--cpu-prof`, to write its profile). */
export function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
