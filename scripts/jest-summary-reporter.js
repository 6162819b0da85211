/**
 * Prints one plain closing line, `jest: N passed, N failed[, N skipped]`, on stderr after jest's own summary,
 * so a CI log reader that knows no jest still sees how many tests ran.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const tail = skipped > 0 ? `, ${skipped} skipped` : "";
    const line = `jest: ${results.numPassedTests} passed, ${results.numFailedTests} failed${tail}\n`;
    // jest prints its own summary after the reporters' onRunComplete has run; wait for it.
    process.once("beforeExit", () => process.stderr.write(line));
  }
}

module.exports = SummaryReporter;
