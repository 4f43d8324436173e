import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { documentationPages } from '../../support/documentation-pages.js';
import { anchorsOf, brokenLinks, headingText } from '../../support/markdown-links.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

describe('links of README.md and the documentation site', () => {
  it('every relative link names an existing file, and its #anchor a heading of it', () => {
    const files = documentationPages(ROOT).map((page) => join(ROOT, page));
    expect(files).toContain(join(ROOT, 'README.md'));
    expect(files).toContain(join(ROOT, 'docs', 'performance.md'));
    const broken = files.flatMap((file) => brokenLinks(ROOT, file));
    expect(broken.map((b) => `${b.file}:${b.line} (${b.target}): ${b.problem}`).join('\n')).toBe(
      '',
    );
  });
});

describe('the link checker', () => {
  let root: string;
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  const check = (path: string) => brokenLinks(root, join(root, path));

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'docs-links-'));
    write(
      'docs/guides/revocation.md',
      [
        '# Revocation',
        '## Push delivery (RFC 8935)',
        "## The guard's `revocation` option",
        '## Setup / teardown',
        '## Setup',
        '## Setup',
        '## Custom id {#custom}',
        '<a id="legacy-anchor"></a>',
        '```md',
        '## Not a heading',
        '```',
      ].join('\n'),
    );
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('accepts links to files and to headings as GitHub and the site slug them', () => {
    write(
      'README.md',
      [
        'See [push](docs/guides/revocation.md#push-delivery-rfc-8935),',
        '[the option](docs/guides/revocation.md#the-guards-revocation-option),',
        '[both](docs/guides/revocation.md#setup--teardown), [again](docs/guides/revocation.md#setup-1),',
        '[old](docs/guides/revocation.md#legacy-anchor), [the folder](docs/guides/),',
        '[a site](https://example.com/x.md#nowhere), [mail](mailto:a@example.com), [here](#see).',
        '# See',
        '[def]: docs/guides/revocation.md#setup',
      ].join('\n'),
    );
    expect(check('README.md')).toEqual([]);
  });

  it('reports a missing file, a missing heading, a {#id}, a site-absolute link and a definition', () => {
    write(
      'docs/start/index.md',
      [
        '# Start',
        '[gone](../guides/revoked.md)',
        '[typo](../guides/revocation.md#push-delivery)',
        '',
        '[custom](../guides/revocation.md#custom) and [fenced](../guides/revocation.md#not-a-heading)',
        '[absolute](/guides/revocation)',
        '[ref]: ../../../outside.md',
        'Inline code is not a link: `[x](nowhere.md)`.',
      ].join('\n'),
    );
    expect(check('docs/start/index.md').map((b) => [b.line, b.target, b.problem])).toEqual([
      [2, '../guides/revoked.md', 'no such file: docs/guides/revoked.md'],
      [
        3,
        '../guides/revocation.md#push-delivery',
        'no heading with the anchor #push-delivery in docs/guides/revocation.md',
      ],
      [
        5,
        '../guides/revocation.md#custom',
        "#custom is a {#id} heading id, which GitHub ignores: link to the heading's own slug",
      ],
      [
        5,
        '../guides/revocation.md#not-a-heading',
        'no heading with the anchor #not-a-heading in docs/guides/revocation.md',
      ],
      [
        6,
        '/guides/revocation',
        'a site-absolute link, which GitHub cannot follow: make it relative to this file',
      ],
      [7, '../../../outside.md', 'points outside the repository'],
    ]);
  });

  it('slugs headings as GitHub does: markup out, punctuation out, each space a hyphen', () => {
    expect(headingText('The **`@Scopes()`** decorator and [links](x.md) \\_escaped\\_')).toBe(
      'The @Scopes() decorator and links _escaped_',
    );
    expect(headingText('snake_case stays, _emphasis_ goes')).toBe(
      'snake_case stays, emphasis goes',
    );
    const { both } = anchorsOf('## DPoP: sender-constrained tokens (RFC 9449)\n## 2. Step — one');
    expect([...both]).toEqual(['dpop-sender-constrained-tokens-rfc-9449', '2-step--one']);
  });
});
