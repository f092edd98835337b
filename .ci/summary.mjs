// Prints the closing lines CI reads, from the JSON report vitest writes next to its console
// output, and fails (exit 1) when a test was skipped that CI is expected to run, when a group of
// tests CI must run is missing, or when tests failed.
import fs from 'node:fs';
import { EXPECTED_SKIPS, REQUIRED_RUNS } from './expected-skips.mjs';

const reportPath = process.argv[2] ?? '.lab/test-report.json';
if (!fs.existsSync(reportPath)) {
  console.log('tests: no report (the checks before the tests failed, or vitest did not run)');
  process.exit(1);
}
const report = JSON.parse(fs.readFileSync(reportPath, 'utf8'));
const tests = report.testResults.flatMap((file) =>
  file.assertionResults.map((test) => ({ ...test, file: file.name })),
);
const SKIPPED = new Set(['skipped', 'pending', 'todo', 'disabled']);
const skipped = tests.filter((test) => SKIPPED.has(test.status));
const allowed = [];
const unexpected = [];
for (const test of skipped) {
  const entry = EXPECTED_SKIPS.find(({ pattern }) => pattern.test(test.fullName));
  (entry ? allowed : unexpected).push({ test, reason: entry?.reason });
}
const missing = REQUIRED_RUNS.filter(
  ({ pattern }) => !tests.some((test) => test.status === 'passed' && pattern.test(test.fullName)),
);

for (const { test, reason } of allowed)
  console.log(`skipped as expected: ${test.fullName} (${reason})`);
for (const { test } of unexpected) console.log(`UNEXPECTED SKIP: ${test.fullName} (${test.file})`);
for (const { what } of missing) console.log(`NOT RUN: ${what}`);
console.log(
  `tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ` +
    `${skipped.length} skipped (${allowed.length} expected, ${unexpected.length} unexpected)` +
    (missing.length > 0 ? `, ${missing.length} required groups not run` : ''),
);
const ok = report.numFailedTests === 0 && unexpected.length === 0 && missing.length === 0;
process.exit(ok ? 0 : 1);
