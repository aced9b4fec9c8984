#!/usr/bin/env bash
# The fast suite (`npm run test:fast`, vitest.fast.config.ts) on the other supported Node.js lines,
# 22 and 24, beside the whole suite that `npm test` runs on the machine's own Node.js (20).
#
# Each line's runtime comes from the npm registry: the `node` package only installs the platform
# package `node-linux-<arch>` from a preinstall script, so that package is fetched directly with
# `npm pack` (it is the official build: bin/node and include/node, the headers native addons build
# against). Each line runs in its own copy of the tree with its own node_modules, in a temporary
# directory, so the checkout's install is never touched: the packages are hard links to the
# checkout's, except better-sqlite3, which is copied and built from source against that runtime's
# headers (its ABI changes with every major; the other native packages are Node-API, which does not).
#
# Writes reports/vitest-node<line>.json for each line; scripts/test-summary.mjs counts them in the
# closing line, and a line whose runtime cannot be fetched or built writes none, which counts as a
# failure there too: nothing is skipped quietly. TOLLGATE_TEST_NODE_LINES="22 24" picks the lines.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
read -r -a lines <<< "${TOLLGATE_TEST_NODE_LINES:-22 24}"
arch=$(node -p process.arch)
work=$(mktemp -d "${TMPDIR:-/tmp}/tollgate-runtimes.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p reports
modules=$(realpath node_modules) || { echo "no node_modules: run npm ci first"; exit 1; }
started=$SECONDS

# Fetch, copy and build one line; runs in the background, one per line (the builds are mostly one
# compiler process each, on sqlite3.c, so two lines share two cores well).
prepare() {
  local line=$1 dir=$work/node$line
  mkdir -p "$dir/tree"
  local tgz
  tgz=$(cd "$dir" && npm pack --loglevel=error "node-linux-$arch@$line" 2>"$dir/pack.err" | tail -n 1)
  if [ -z "$tgz" ] || ! tar -xzf "$dir/$tgz" -C "$dir"; then
    echo "Node.js $line: cannot fetch node-linux-$arch@$line from the npm registry:"; cat "$dir/pack.err"
    return 1
  fi
  rm -f "$dir/$tgz"
  local rt=$dir/package
  case "$("$rt/bin/node" --version)" in
    "v$line."*) ;;
    *) echo "Node.js $line: node-linux-$arch@$line is $("$rt/bin/node" --version)"; return 1 ;;
  esac
  # The checkout's files as they are now, committed or not (CI: a fresh clone).
  git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
    [ -e "$f" ] && printf '%s\0' "$f"
  done | xargs -0 cp --parents -t "$dir/tree"
  # Hard links where the temporary directory is on the checkout's file system, a copy otherwise.
  if ! cp -al "$modules" "$dir/tree/node_modules" 2>/dev/null; then
    rm -rf "$dir/tree/node_modules"
    cp -a "$modules" "$dir/tree/node_modules" || { echo "Node.js $line: cannot copy node_modules"; return 1; }
  fi
  # Hard links share their contents: anything that is written goes to a real copy. Vite's and
  # vitest's caches are rebuilt; better-sqlite3 is rebuilt for this runtime.
  rm -rf "$dir/tree/node_modules/.vite" "$dir/tree/node_modules/.vitest" "$dir/tree/node_modules/better-sqlite3"
  cp -a "$modules/better-sqlite3" "$dir/tree/node_modules/better-sqlite3"
  rm -rf "$dir/tree/node_modules/better-sqlite3/build"
  # `build-release` is node-gyp from source; its `install` script would first try a prebuilt binary
  # download. npm run puts its own node-gyp on PATH; npm_config_nodedir points it at the headers.
  if ! (cd "$dir/tree/node_modules/better-sqlite3" && PATH="$rt/bin:$PATH" npm_config_nodedir="$rt" \
        npm run --silent build-release >"$dir/build.log" 2>&1); then
    echo "Node.js $line: better-sqlite3 did not build:"; tail -n 30 "$dir/build.log"
    return 1
  fi
  (cd "$dir/tree" && "$rt/bin/node" -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()") || {
    echo "Node.js $line: better-sqlite3 does not load"; return 1; }
  echo "Node.js $("$rt/bin/node" --version): runtime fetched and better-sqlite3 built ($((SECONDS - started)) s)"
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
