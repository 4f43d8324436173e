import { documentationPages } from '../../support/documentation-pages.js';
import {
  checkDocumentationExamples,
  documentationExamples,
  REPOSITORY_ROOT,
} from '../../support/markdown-examples.js';

// Every TypeScript example of the README and of the documentation site compiles against the
// library as it is, so an API change that would break a reader's copy breaks this test first.
describe('documentation examples', () => {
  it('finds the pages and their examples (a reader that saw none would pass)', () => {
    const pages = documentationPages(REPOSITORY_ROOT);
    expect(pages).toEqual(
      expect.arrayContaining(['README.md', 'docs/architecture.md', 'docs/start/quick-start.md']),
    );
    expect(documentationExamples(REPOSITORY_ROOT).length).toBeGreaterThanOrEqual(10);
  });

  it('type-check against lib/', () => {
    expect(checkDocumentationExamples(REPOSITORY_ROOT)).toEqual([]);
  }, 180_000);
});
