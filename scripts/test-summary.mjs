// Prints the plain closing line CI reads ("N passed, N failed, N skipped") from vitest's JSON report,
// adding the PostgreSQL pass's report beside it (vitest-postgres.json, scripts/test.sh) when there is one,
// and every further report named after the first (.ci/run: the other Node.js lines'), each of which
// must exist: a named report that is missing is a run that did not happen, one failure.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const file = process.argv[2] ?? 'reports/vitest.json';
const optional = join(dirname(file), 'vitest-postgres.json');
const reports = [file, optional, ...process.argv.slice(3)];
let passed = 0;
let failed = 0;
let skipped = 0;
for (const [i, f] of reports.entries()) {
  if (i === 1 && !existsSync(f)) continue;
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
// Verdicts written beside the report, each one test: the linter's and the tests' type check
// (scripts/test.sh; any finding is one failure) and the install's (.ci/run; an EBADENGINE warning
// from `npm ci` is one failure).
for (const name of ['lint.json', 'typecheck.json', 'install.json']) {
  const verdict = join(dirname(file), name);
  if (!existsSync(verdict)) continue;
  if (JSON.parse(readFileSync(verdict, 'utf8')).ok) passed++;
  else failed++;
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
