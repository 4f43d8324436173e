import { relative } from 'node:path';
import process from 'node:process';

/**
 * Jest reports skipped tests once, among hundreds of lines; this reporter names their suites again as
 * the run's last line, so that a test left skipped (`it.skip`, `.todo`) is seen. A missing program
 * never skips a test: the e2e preflight (test/support/preflight.ts) stops the run first.
 */
export default class SkippedTestsReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.testResults
      .filter((suite) => suite.numPendingTests + suite.numTodoTests > 0)
      .map(
        (suite) =>
          `${relative(process.cwd(), suite.testFilePath)} (${suite.numPendingTests} skipped)`,
      );
    if (skipped.length === 0) return;
    // Jest prints its own summary after every reporter's onRunComplete.
    process.once('exit', () => process.stderr.write(`Skipped tests in: ${skipped.join(', ')}\n`));
  }
}
