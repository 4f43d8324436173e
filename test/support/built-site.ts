import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
export const DOCS = join(ROOT, 'docs');
export const DIST = join(DOCS, '.vitepress', 'dist');

// What the site is built from. The API reference TypeDoc writes, the build's cache and its output
// are products of the build, not sources.
const PRODUCTS = [join(DOCS, '.vitepress', 'dist'), join(DOCS, '.vitepress', 'cache')];
const SOURCES = [
  DOCS,
  join(ROOT, 'lib'),
  join(ROOT, 'bench', 'results'),
  join(ROOT, 'typedoc.json'),
];

function newestSource(path: string): number {
  if (PRODUCTS.includes(path) || path.startsWith(join(DOCS, 'reference', 'api', ''))) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestSource(join(path, name))));
}

/**
 * The built documentation site, built first when it is missing or older than a source, so that
 * `npm test` on a fresh clone needs no extra step; CI builds it in a step of its own before, and a
 * fresh build is reused.
 */
export function builtSite(): string {
  const index = join(DIST, 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= Math.max(...SOURCES.map(newestSource))) {
    return DIST;
  }
  process.stdout.write('The documentation site is missing or stale: npm run docs:build\n');
  execFileSync('npm', ['run', 'docs:build'], { cwd: ROOT, stdio: 'ignore', timeout: 300_000 });
  return DIST;
}
