// Prints the plain closing line CI reads ("N passed, N failed, N skipped") from vitest's JSON report.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'reports/vitest.json';
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch {
  console.log('0 passed, 1 failed');
  process.exit(0);
}
// A file that failed to load (syntax error, failed hook) has no test results but must count as failed.
const brokenFiles = report.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
console.log(`${report.numPassedTests} passed, ${report.numFailedTests + brokenFiles} failed, ${report.numPendingTests + report.numTodoTests} skipped`);
