/**
 * Jest reporter that ends every run with the plain line `N passed, N failed` (CI reads it),
 * and writes the same line to `.halflife/test-summary.txt` for `.ci/run`. Tests that passed only
 * on their retry (integration tests get one, see integration-timeout.ts) are listed above it.
 */
const fs = require('node:fs');
const path = require('node:path');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const line = `${results.numPassedTests} passed, ${failed} failed`;
    const retried = results.testResults.flatMap((file) =>
      file.testResults
        .filter((test) => test.status === 'passed' && (test.invocations ?? 1) > 1)
        .map((test) => `${path.relative(process.cwd(), file.testFilePath)} › ${test.fullName}`),
    );
    const dir = path.join(process.cwd(), '.halflife');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'test-summary.txt'), `${line}\n`);
    fs.writeFileSync(path.join(dir, 'test-retried.txt'), retried.map((name) => `${name}\n`).join(''));
    const report = retried.length ? `\npassed only on retry (flaky, to fix): ${retried.length}\n${retried.map((name) => `  ${name}`).join('\n')}\n` : '';
    process.stdout.write(`${report}\n${line}\n`);
  }
}

module.exports = SummaryReporter;
