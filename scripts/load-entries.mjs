// Loads every entry point of the built package by its name, through import and require() alike, and
// checks that both builds export the same names. Run with each Node version the package supports.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';

const root = join(import.meta.dirname, '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// The package resolves itself by name (its exports map) from inside the repository.
const require = createRequire(join(root, 'package.json'));

const problems = [];
for (const subpath of Object.keys(manifest.exports).filter((key) => key !== './package.json')) {
  const name = join(manifest.name, subpath);
  const esm = Object.keys(await import(name)).sort();
  const cjs = Object.keys(require(name))
    .filter((key) => key !== '__esModule')
    .sort();
  if (esm.length === 0) problems.push(`${name} exports nothing`);
  if (esm.join() !== cjs.join()) {
    problems.push(`${name}: import gives ${esm.join(', ')}; require() gives ${cjs.join(', ')}`);
  }
}
if (problems.length > 0) {
  process.stderr.write(`${problems.join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(`entry points load through import and require() on Node ${process.version}\n`);
