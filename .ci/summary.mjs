// Prints the closing line CI reads, from the JSON report vitest writes next to its console output.
import fs from 'node:fs';

const reportPath = '.lab/test-report.json';
if (!fs.existsSync(reportPath)) {
  console.log('tests: no report (the checks before the tests failed, or vitest did not run)');
  process.exit(1);
}
const report = JSON.parse(fs.readFileSync(reportPath, 'utf8'));
const skipped = report.numPendingTests + report.numTodoTests;
console.log(
  `tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`,
);
