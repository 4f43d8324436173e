import { jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

jest.setTimeout(120_000);

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..', '..');
const fixtures = join(root, 'test', 'support', 'optional-peers');
// Inside the project, so that the compiled library resolves its dependencies from node_modules.
const outDir = join(root, 'node_modules', '.cache', 'nest-oidc-auth-optional-peers');

describe('an HTTP-only application without the transport packages', () => {
  it('loads the module and guards its routes', async () => {
    await run(process.execPath, [
      join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      join(root, 'tsconfig.build.json'),
      '--outDir',
      outDir,
      '--declaration',
      'false',
      '--sourceMap',
      'false',
    ]);
    const { stdout } = await run(
      process.execPath,
      ['--import', join(fixtures, 'block-peers.mjs'), join(fixtures, 'http-only-app.mjs'), outDir],
      { cwd: root, timeout: 60_000 },
    );
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual({
      blocked: { import: 'ERR_MODULE_NOT_FOUND', require: 'MODULE_NOT_FOUND' },
      anonymous: 401,
      authorized: 200,
      body: ['a note'],
    });
  });
});
