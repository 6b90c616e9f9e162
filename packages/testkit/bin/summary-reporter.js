// Prints jest's totals as one plain closing line, `jest: N passed, N failed[, N skipped]`, which
// CI and people can read without parsing jest's multi-line summary. It is written when the process
// exits so that it comes after jest's own summary (stdout to a file or pipe is synchronous on Linux).
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    let line = `jest: ${results.numPassedTests} passed, ${failed} failed`;
    if (skipped > 0) line += `, ${skipped} skipped`;
    process.once('exit', () => process.stdout.write(`${line}\n`));
  }
}
module.exports = SummaryReporter;
