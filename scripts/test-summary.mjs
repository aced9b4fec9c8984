// Prints the plain closing line CI reads ("N passed, N failed, N skipped") from vitest's JSON report,
// adding the PostgreSQL pass's report beside it (vitest-postgres.json, scripts/test.sh) when there is one.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const file = process.argv[2] ?? 'reports/vitest.json';
const reports = [file, join(dirname(file), 'vitest-postgres.json')];
let passed = 0;
let failed = 0;
let skipped = 0;
for (const [i, f] of reports.entries()) {
  if (i > 0 && !existsSync(f)) continue;
  let report;
  try {
    report = JSON.parse(readFileSync(f, 'utf8'));
  } catch {
    failed++; // a report that is missing or unreadable: the run did not finish
    continue;
  }
  // A file that failed to load (syntax error, failed hook) has no test results but must count as failed.
  const brokenFiles = report.testResults.filter((r) => r.status === 'failed' && r.assertionResults.length === 0).length;
  passed += report.numPassedTests;
  failed += report.numFailedTests + brokenFiles;
  skipped += report.numPendingTests + report.numTodoTests;
}
// The linter's verdict (scripts/test.sh writes it beside the report): a finding is one failure.
const lint = join(dirname(file), 'lint.json');
if (existsSync(lint)) {
  if (JSON.parse(readFileSync(lint, 'utf8')).ok) passed++;
  else failed++;
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
