import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import {
  executableOnPath,
  missingDependenciesMessage,
  SYSTEM_DEPENDENCIES,
} from '../../support/preflight.js';

const having =
  (...commands: string[]) =>
  (command: string) =>
    commands.includes(command);

describe('missingDependenciesMessage', () => {
  it('says nothing when every program is found', () => {
    expect(missingDependenciesMessage(having('chromium', 'redis-server'))).toBeUndefined();
  });

  it('names both missing programs, what needs them, and one command installing both', () => {
    const message = missingDependenciesMessage(having())!;
    expect(message).toContain(
      'chromium (the real-browser tests (Swagger login, documentation site))',
    );
    expect(message).toContain('redis-server (the Redis store');
    expect(message).toContain(
      'as root: apt-get update && apt-get install -y chromium redis-server',
    );
    expect(message.split('\n')).toHaveLength(1);
  });

  it.each([
    ['chromium', 'redis-server'],
    ['redis-server', 'chromium'],
  ])('names and installs only the missing one when %s is there', (present, missing) => {
    const message = missingDependenciesMessage(having(present))!;
    expect(message).toMatch(new RegExp(`apt-get install -y ${missing}$`));
    expect(message).not.toContain(`${present} (`);
  });

  it('asks the lookup about every dependency it knows, by command', () => {
    const asked: string[] = [];
    missingDependenciesMessage((command) => {
      asked.push(command);
      return true;
    });
    expect(asked).toEqual(SYSTEM_DEPENDENCIES.map((d) => d.command));
    expect(asked).toEqual(['chromium', 'redis-server']);
  });
});

describe('executableOnPath', () => {
  let root: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'preflight-'));
    for (const dir of ['plain', 'exec', 'nested/redis-server']) {
      mkdirSync(join(root, dir), { recursive: true });
    }
    writeFileSync(join(root, 'plain', 'redis-server'), '');
    writeFileSync(join(root, 'exec', 'redis-server'), '#!/bin/sh\n');
    chmodSync(join(root, 'exec', 'redis-server'), 0o755);
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const path = (...dirs: string[]) => dirs.map((dir) => join(root, dir)).join(delimiter);

  it('finds an executable file in the first directory that has one', () => {
    expect(executableOnPath('redis-server', path('plain', 'nested', 'exec'))).toBe(
      join(root, 'exec', 'redis-server'),
    );
  });

  it('passes over a file that is not executable, and a directory of that name', () => {
    expect(executableOnPath('redis-server', path('plain', 'nested'))).toBeUndefined();
  });

  it('finds nothing on an empty PATH (the current directory does not count)', () => {
    expect(executableOnPath('redis-server', '')).toBeUndefined();
  });
});
