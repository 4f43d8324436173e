import { readdirSync } from 'node:fs';
import { join } from 'node:path';

// TypeDoc writes the API reference here when the site is built; only its landing page is written
// by hand (and committed).
const GENERATED = 'docs/reference/api/';
const LANDING = 'docs/reference/api/index.md';

/**
 * README.md and every hand-written page of the documentation site, as paths from the repository's
 * root: the site's build output and cache (`docs/.vitepress/`) and the generated API pages are left
 * out.
 */
export function documentationPages(root: string): string[] {
  const pages = ['README.md'];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.md') && (!path.startsWith(GENERATED) || path === LANDING)) {
        pages.push(path);
      }
    }
  };
  walk('docs');
  return pages.sort();
}
