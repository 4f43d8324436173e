import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { githubSlug } from '../../docs/.vitepress/slug.js';

/** A link of a markdown file that does not resolve, with why. */
export interface BrokenLink {
  /** The file, relative to the repository, and the line. */
  file: string;
  line: number;
  target: string;
  problem: string;
}

/** Each line of `markdown` outside fenced code blocks, with its 1-based number. */
function proseLines(markdown: string): { line: number; text: string }[] {
  const lines: { line: number; text: string }[] = [];
  let fence: string | undefined;
  markdown.split('\n').forEach((text, i) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(text)?.[1];
    if (fence) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      return;
    }
    if (marker) {
      fence = marker;
      return;
    }
    lines.push({ line: i + 1, text });
  });
  return lines;
}

/** The text a heading renders to, as a slugger sees it: no markup, code spans' content kept. */
export function headingText(source: string): string {
  return source
    .split(/(`+[^`]*`+)/)
    .map((part, i) =>
      i % 2 === 1
        ? part.replace(/^`+|`+$/g, '')
        : part
            .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
            .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
            .replace(/<[^>]+>/g, '')
            // Emphasis markers go, escaped ones (`\*`, `\_`) and those inside words stay.
            .replace(/(?<!\\)\*+/g, '')
            .replace(/(^|[^\p{L}\p{N}\\])_+|(?<!\\)_+(?=[^\p{L}\p{N}]|$)/gu, '$1')
            .replace(/\\([\\`*_{}[\]()#+\-.!|<>~])/g, '$1'),
    )
    .join('')
    .trim();
}

/**
 * The anchors of a markdown file's headings, as GitHub and the site (same slugs: docs/.vitepress/slug.ts)
 * make them, repeated headings numbered `-1`, `-2`; plus explicit `<a id>`/`<a name>` anchors and
 * VitePress `{#id}` ids (the latter work in the site only, so they are returned apart).
 */
export function anchorsOf(markdown: string): { both: Set<string>; siteOnly: Set<string> } {
  const both = new Set<string>();
  const siteOnly = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of proseLines(markdown)) {
    for (const m of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) both.add(m[1]);
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(text);
    if (!heading) continue;
    let title = heading[1];
    const custom = /\s*\{#([^}\s]+)\}\s*$/.exec(title);
    if (custom) {
      siteOnly.add(custom[1]);
      title = title.slice(0, custom.index);
    }
    const slug = githubSlug(headingText(title));
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    both.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return { both, siteOnly };
}

/** Every inline link and image target, and every reference definition, outside code. */
export function linksOf(markdown: string): { line: number; target: string }[] {
  const links: { line: number; target: string }[] = [];
  for (const { line, text } of proseLines(markdown)) {
    const prose = text.replace(/(`+)[^`]*?\1/g, '');
    for (const m of prose.matchAll(/\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ line, target: m[1] });
    }
    const definition = /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$/.exec(prose);
    if (definition) links.push({ line, target: definition[1] });
  }
  return links;
}

/**
 * The links of `file` (absolute) that do not resolve inside `root`: a relative link must name an
 * existing file or folder, and its `#anchor` a heading of that file. Links to other sites are not
 * followed. A link starting with `/` works in the built site only, not on GitHub, so it is refused.
 */
export function brokenLinks(root: string, file: string): BrokenLink[] {
  const markdown = readFileSync(file, 'utf8');
  const broken: BrokenLink[] = [];
  const where = relative(root, file);
  for (const { line, target } of linksOf(markdown)) {
    if (target === '' || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    const report = (problem: string) => broken.push({ file: where, line, target, problem });
    if (target.startsWith('/')) {
      report('a site-absolute link, which GitHub cannot follow: make it relative to this file');
      continue;
    }
    const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
    const path = decodeURIComponent(pathPart.split('?')[0]);
    const resolved = path === '' ? file : resolve(dirname(file), path);
    if (resolved !== root && !resolved.startsWith(root + sep)) {
      report('points outside the repository');
      continue;
    }
    if (!existsSync(resolved)) {
      report(`no such file: ${relative(root, resolved)}`);
      continue;
    }
    if (anchor === undefined || anchor === '') continue;
    if (statSync(resolved).isDirectory() || !resolved.endsWith('.md')) {
      report('an anchor on something that is not a markdown file');
      continue;
    }
    const anchors = anchorsOf(readFileSync(resolved, 'utf8'));
    const id = decodeURIComponent(anchor);
    if (anchors.both.has(id)) continue;
    // A `{#id}` heading id exists in the site only; followed on GitHub the link finds nothing.
    if (anchors.siteOnly.has(id)) {
      report(`#${id} is a {#id} heading id, which GitHub ignores: link to the heading's own slug`);
      continue;
    }
    report(`no heading with the anchor #${id} in ${relative(root, resolved)}`);
  }
  return broken;
}
