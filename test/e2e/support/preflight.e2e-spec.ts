import { jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

jest.setTimeout(60_000);

const ROOT = join(import.meta.dirname, '..', '..', '..');
// Any e2e suite: had the preflight let the run through, its results would show in the output.
const SUITE = 'test/e2e/health/health.e2e-spec.ts';

interface Run {
  code: number | null;
  output: string;
}

/** `npm test`'s Jest, for one e2e suite, with PATH holding only `bin`. */
function jestWithPath(bin: string): Promise<Run> {
  // Jest's own variables would tell the inner run it is a worker of this one.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('JEST')),
  );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [
        '--experimental-vm-modules',
        '--no-warnings=ExperimentalWarning',
        'node_modules/jest/bin/jest.js',
        '--runInBand',
        SUITE,
      ],
      { cwd: ROOT, env: { ...env, PATH: bin } },
      (error, stdout, stderr) =>
        resolve({ code: error ? (error.code as number) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

describe('the e2e preflight (jest globalSetup) on a machine without chromium or redis-server', () => {
  let bin: string;

  beforeEach(() => {
    bin = mkdtempSync(join(tmpdir(), 'preflight-bin-'));
  });

  afterEach(() => rmSync(bin, { recursive: true, force: true }));

  const messages = (output: string) =>
    output.split('\n').filter((line) => line.includes('not on PATH'));

  it('stops before any suite, with one message naming both and the command installing both', async () => {
    const run = await jestWithPath(bin);
    expect(run.code).toBe(1);
    expect(messages(run.output)).toEqual([
      expect.stringMatching(
        /chromium \(.*\), redis-server \(.*\)\. .*apt-get update && apt-get install -y chromium redis-server$/,
      ),
    ]);
    expect(run.output).not.toMatch(/PASS|FAIL|Tests:|ENOENT/);
  });

  it('names only what is missing', async () => {
    writeFileSync(join(bin, 'redis-server'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(bin, 'redis-server'), 0o755);
    const run = await jestWithPath(bin);
    expect(run.code).toBe(1);
    const [message, ...others] = messages(run.output);
    expect(others).toEqual([]);
    expect(message).toMatch(/not on PATH: chromium \(.*\)\. .*apt-get install -y chromium$/);
    expect(message).not.toContain('redis-server');
    expect(run.output).not.toMatch(/PASS|FAIL|Tests:/);
  });
});
