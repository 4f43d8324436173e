// What `npm pack` would publish: the license, the README, package.json and dist/ with no source maps
// (their sources are not shipped), and every file that exports and typesVersions point to.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';

const root = join(import.meta.dirname, '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: root }));
const files = new Set(packed.files.map((file) => file.path));

/** Every string leaf of an exports or typesVersions map. */
function targets(map) {
  if (typeof map === 'string') return [map.replace(/^\.\//, '')];
  return Object.values(map).flatMap(targets);
}

const problems = [
  ...['LICENSE', 'README.md', 'package.json', 'dist/cjs/package.json']
    .filter((file) => !files.has(file))
    .map((file) => `${file} is missing`),
  ...[...files]
    .filter((file) => !/^dist\/.*\.(js|d\.ts|json)$/.test(file))
    .filter((file) => !['LICENSE', 'README.md', 'package.json'].includes(file))
    .map((file) => `${file} should not be published`),
  ...[
    ...targets(manifest.exports),
    ...targets(manifest.typesVersions),
    manifest.main,
    manifest.types,
  ]
    .filter((file) => !files.has(file))
    .map((file) => `${file} is named in package.json but not in the tarball`),
];
if (problems.length > 0) {
  process.stderr.write(`npm pack would publish a broken package:\n  ${problems.join('\n  ')}\n`);
  process.exit(1);
}
process.stdout.write(
  `package contents: ${files.size} files, ${(packed.size / 1024).toFixed(0)} kB packed, as expected\n`,
);
