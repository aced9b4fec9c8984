#!/usr/bin/env bash
# The whole test suite: `npm test`. Installs the system tools the tests drive (Debian packages) when
# they are missing, builds the daemon (integration tests run the compiled bin like production does),
# runs vitest, and ends with a plain "N passed, N failed" line taken from vitest's JSON report.
set -uo pipefail
cd "$(dirname "$0")/.."

need=()
command -v radclient >/dev/null 2>&1 || need+=(freeradius-utils)
command -v freeradius >/dev/null 2>&1 || need+=(freeradius)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
# The README's systemd install, tested in a booted Debian 12 root (tests/integration/systemd-install.test.ts).
command -v mmdebstrap >/dev/null 2>&1 || need+=(mmdebstrap)
command -v systemd-nspawn >/dev/null 2>&1 || need+=(systemd-container)
command -v sqlite3 >/dev/null 2>&1 || need+=(sqlite3)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -x /usr/sbin/snmpd ] || need+=(snmpd)
# FatturaPA files are validated with xmllint; SDI's receipts are read from a dovecot the tests start.
command -v xmllint >/dev/null 2>&1 || need+=(libxml2-utils)
command -v dovecot >/dev/null 2>&1 || need+=(dovecot-imapd)
# PostgreSQL's server binaries live off PATH (/usr/lib/postgresql/<version>/bin); tests find them as
# `pg_config --bindir` reports, which libpq-dev alone also answers, so check for initdb there.
[ -x "$(pg_config --bindir 2>/dev/null)/initdb" ] || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing test tools: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
      || { echo "could not install ${need[*]}"; exit 1; }
  else
    echo "missing test tools (${need[*]}) and not root with apt-get: tests that need them are skipped"
  fi
fi
# freeradius's package starts its service where systemd runs; the tests start their own instances.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet freeradius 2>/dev/null; then systemctl stop freeradius || true; fi

npm run build --silent || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

mkdir -p reports
# The linter (typescript-eslint and the layer rules in eslint.config.js) at zero warnings: a finding
# counts as one failed test in the closing line.
if npx eslint --max-warnings 0 . ; then echo '{"ok":true}' > reports/lint.json; else echo '{"ok":false}' > reports/lint.json; fi
# The tests, the benchmarks and the code together through the compiler (vitest strips types without
# checking them): a test double that no longer matches its interface fails here. One test as well.
if npx tsc -p tsconfig.test.json ; then echo '{"ok":true}' > reports/typecheck.json; else echo '{"ok":false}' > reports/typecheck.json; fi
rm -f reports/vitest-postgres.json
npx vitest run --reporter=default --reporter=json --outputFile.json=reports/vitest.json "$@"
rc=$?
# The second backend: the files listed in tests/postgres-pass.txt (`#` comments and blank lines
# aside) run again with PostgreSQL as the database of the app under test; the store tests and the
# multi-node tests already run on both in the pass above.
if [ $# -eq 0 ] && [ -x "$(pg_config --bindir 2>/dev/null)/initdb" ]; then
  pgpass=$(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' tests/postgres-pass.txt)
  echo "--- again on PostgreSQL: $(echo $pgpass)"
  TOLLGATE_TEST_BACKEND=postgres npx vitest run --reporter=default --reporter=json --outputFile.json=reports/vitest-postgres.json $pgpass || rc=1
fi
grep -q '"ok":true' reports/lint.json || rc=1
grep -q '"ok":true' reports/typecheck.json || rc=1
node scripts/test-summary.mjs reports/vitest.json
exit $rc
