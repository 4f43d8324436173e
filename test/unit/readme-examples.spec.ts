import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkReadmeExamples,
  readmeExamples,
  REPOSITORY_ROOT,
} from '../support/readme-examples.js';

// Every TypeScript example of the README compiles against the library as it is, so an API change
// that would break a reader's copy breaks this test first.
describe('README examples', () => {
  it('finds the examples (a reader that saw none would pass)', () => {
    const examples = readmeExamples(readFileSync(join(REPOSITORY_ROOT, 'README.md'), 'utf8'));
    expect(examples.length).toBeGreaterThanOrEqual(10);
  });

  it('type-check against lib/', () => {
    expect(checkReadmeExamples(REPOSITORY_ROOT)).toEqual([]);
  }, 120_000);
});
