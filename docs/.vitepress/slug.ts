/**
 * The anchor of a heading as GitHub makes it (github-slugger): lower case, every character that is
 * not a letter, mark, number, connector (`_`), hyphen or space removed, each space a hyphen. The
 * site uses it for its heading ids too (config.ts, `markdown.anchor`), in place of
 * VitePress's own, which differs on apostrophes, slashes and leading digits: so one relative link
 * `../guides/revocation.md#some-heading` lands on the heading on GitHub and in the site alike.
 * test/unit/docs/links.spec.ts checks every such link against the headings this gives.
 */
export function githubSlug(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/**
 * VitePress's own heading anchor (its `slugify`, copied): what TypeDoc's generated API pages
 * (reference/api/, not committed, never read on GitHub) link their headings by.
 */
export function vitepressSlug(text: string): string {
  return (
    text
      .normalize('NFKD')
      .replace(/[\u0300-\u036F]/g, '')
      // eslint-disable-next-line no-control-regex -- VitePress's own pattern, copied as it is
      .replace(/[\u0000-\u001f]/g, '')
      .replace(/[\s~`!@#$%^&*()\-_+=[\]{}|\\;:"'“”‘’<>,.?/]+/g, '-')
      .replace(/-{2,}/g, '-')
      .replace(/^-+|-+$/g, '')
      .replace(/^(\d)/, '_$1')
      .toLowerCase()
  );
}

/** The anchor the site gives a heading of the page at `relativePath` (from docs/). */
export function siteSlug(text: string, relativePath: string | undefined): string {
  return relativePath?.startsWith('reference/api/') && relativePath !== 'reference/api/index.md'
    ? vitepressSlug(text)
    : githubSlug(text);
}
