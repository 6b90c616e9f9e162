// Prints jest's totals as one plain closing line, `jest: N passed, N failed[, N skipped]`,
// which CI and people can read without parsing jest's multi-line summary.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    let line = `jest: ${results.numPassedTests} passed, ${failed} failed`;
    if (skipped > 0) line += `, ${skipped} skipped`;
    process.stdout.write(`${line}\n`);
  }
}
module.exports = SummaryReporter;
