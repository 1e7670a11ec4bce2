// Ends a Jest run with one plain line, `jest: N passed, N failed, N skipped`, that CI logs and
// humans can grep for, whatever reporter printed above it.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(
      `jest: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`,
    );
  }
}

module.exports = SummaryReporter;
