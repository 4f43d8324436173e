/**
 * The anchor of a heading as GitHub makes it (github-slugger): lower case, every character that is
 * not a letter, mark, number, connector (`_`), hyphen or space removed, each space a hyphen. The
 * site uses it for its heading ids too (config.ts, `markdown.anchor.slugify`), in place of
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
