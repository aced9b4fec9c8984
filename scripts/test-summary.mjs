// Prints the plain closing line CI reads ("N passed, N failed, N skipped") from vitest's JSON report.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

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
// The linter's verdict (scripts/test.sh writes it beside the report): a finding is one failure.
const lint = join(dirname(file), 'lint.json');
const lintFailed = existsSync(lint) && !JSON.parse(readFileSync(lint, 'utf8')).ok ? 1 : 0;
console.log(`${report.numPassedTests + (existsSync(lint) && !lintFailed ? 1 : 0)} passed, ${report.numFailedTests + brokenFiles + lintFailed} failed, ${report.numPendingTests + report.numTodoTests} skipped`);
