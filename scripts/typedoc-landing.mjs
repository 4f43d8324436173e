// TypeDoc plugin: the API reference's entry page (docs/reference/api/index.md) is the committed landing
// page, not TypeDoc's list of modules (the sidebar lists them), so that /reference/api/ exists even in
// a site built without TypeDoc, and a TypeDoc run leaves the page as it is in git.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MarkdownPageEvent } from 'typedoc-plugin-markdown';

const LANDING = join(import.meta.dirname, '..', 'docs', 'reference', 'api', 'index.md');

export function load(app) {
  // Read before TypeDoc empties its output directory.
  const landing = readFileSync(LANDING, 'utf8');
  app.renderer.on(MarkdownPageEvent.END, (page) => {
    if (page.url === 'index.md') page.contents = landing;
  });
}
