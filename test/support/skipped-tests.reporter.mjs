import { relative } from 'node:path';
import process from 'node:process';

/**
 * Jest reports skipped tests once, among hundreds of lines; this reporter names their suites again as
 * the run's last line, so that a suite that could not run (the browser test without Chromium) is seen.
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
