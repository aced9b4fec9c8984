#!/usr/bin/env bash
# The fast suite (`npm run test:fast`, vitest.fast.config.ts) on the other supported Node.js lines,
# 22 and 24, beside the whole suite that `npm test` runs on the machine's own Node.js (20).
#
# Each line's runtime comes from the npm registry and runs in its own copy of the tree, in a temporary
# directory, with a node_modules built for it (scripts/node-runtime.sh: hard links to the checkout's
# packages, better-sqlite3 built from source for that runtime), so the checkout's install is never
# touched.
#
# Writes reports/vitest-node<line>.json for each line; scripts/test-summary.mjs counts them in the
# closing line, and a line whose runtime cannot be fetched or built writes none, which counts as a
# failure there too: nothing is skipped quietly. TOLLGATE_TEST_NODE_LINES="22 24" picks the lines.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
read -r -a lines <<< "${TOLLGATE_TEST_NODE_LINES:-22 24}"
work=$(mktemp -d "${TMPDIR:-/tmp}/tollgate-runtimes.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p reports
started=$SECONDS

# Fetch, copy and build one line; runs in the background, one per line (the builds are mostly one
# compiler process each, on sqlite3.c, so two lines share two cores well).
prepare() {
  local line=$1 dir=$work/node$line
  mkdir -p "$dir/tree"
  # The checkout's files as they are now, committed or not (CI: a fresh clone).
  git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
    [ -e "$f" ] && printf '%s\0' "$f"
  done | xargs -0 cp --parents -t "$dir/tree"
  scripts/node-runtime.sh "$line" "$dir" "$dir/tree/node_modules" || return 1
  echo "Node.js $("$dir/package/bin/node" --version): runtime fetched and better-sqlite3 built ($((SECONDS - started)) s)"
}

declare -A pids
for line in "${lines[@]}"; do
  rm -f "reports/vitest-node$line.json"
  prepare "$line" > "$work/prepare-$line.log" 2>&1 &
  pids[$line]=$!
done
rc=0
for line in "${lines[@]}"; do
  if wait "${pids[$line]}"; then ok=1; else ok=0; rc=1; fi
  cat "$work/prepare-$line.log"
  [ $ok = 1 ] || continue
  echo "--- the fast suite on Node.js $line"
  t=$SECONDS
  (cd "$work/node$line/tree" && PATH="$work/node$line/package/bin:$PATH" \
    npx vitest run --config vitest.fast.config.ts --reporter=dot --reporter=json \
    --outputFile.json="$root/reports/vitest-node$line.json") || rc=1
  echo "Node.js $line: fast suite in $((SECONDS - t)) s"
done
echo "other Node.js lines (${lines[*]}): $((SECONDS - started)) s in all"
exit $rc
