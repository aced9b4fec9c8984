#!/usr/bin/env bash
# scripts/node-runtime.sh LINE DIR MODULES — another Node.js line and a node_modules built for it.
#
# The runtime comes from the npm registry: the `node` package only installs the platform package
# `node-linux-<arch>` from a preinstall script, so that package is fetched directly with `npm pack`
# (it is the official build: bin/node and include/node, the headers native addons build against).
# It lands in DIR/package (DIR/package/bin/node); one already there for LINE is kept.
#
# MODULES (a directory named node_modules) becomes one for that runtime: hard links to the
# checkout's packages (a copy where MODULES is on another file system), except better-sqlite3,
# which is copied and built from source against the runtime's headers (its ABI changes with every
# major; the other native packages are Node-API, which does not). One made from the same
# package-lock.json for the same runtime, whose better-sqlite3 loads, is kept.
#
# Used by scripts/test-runtimes.sh (the fast suite on the other lines) and by the benchmarks'
# TG_NODE_LINE (bench/lib/harness.sh). Exits non-zero, saying why, when either step fails.
set -uo pipefail
[ $# = 3 ] || { echo "usage: scripts/node-runtime.sh LINE DIR MODULES" >&2; exit 2; }
line=$1 dir=$2 dest=$3
root=$(cd "$(dirname "$0")/.." && pwd)
arch=$(node -p process.arch)
rt=$dir/package
modules=$(realpath "$root/node_modules") || { echo "no node_modules: run npm ci first" >&2; exit 1; }
mkdir -p "$dir"

if ! [[ -x $rt/bin/node && $("$rt/bin/node" --version) == "v$line."* ]]; then
  rm -rf "$rt"
  tgz=$(cd "$dir" && npm pack --loglevel=error "node-linux-$arch@$line" 2>"$dir/pack.err" | tail -n 1)
  if [ -z "$tgz" ] || ! tar -xzf "$dir/$tgz" -C "$dir"; then
    echo "Node.js $line: cannot fetch node-linux-$arch@$line from the npm registry:" >&2; cat "$dir/pack.err" >&2
    exit 1
  fi
  rm -f "$dir/$tgz"
  case "$("$rt/bin/node" --version)" in
    "v$line."*) ;;
    *) echo "Node.js $line: node-linux-$arch@$line is $("$rt/bin/node" --version)" >&2; exit 1 ;;
  esac
fi

loads() { (cd "$dest/.." && "$rt/bin/node" -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()") 2>/dev/null; }
# What MODULES was made from: a later `npm ci` replaces the checkout's files, and hard links would
# keep the old ones.
stamp="$("$rt/bin/node" --version) $(sha256sum "$root/package-lock.json" | cut -d' ' -f1)"
if [ -d "$dest/better-sqlite3" ] && [ "$(cat "$dest/.tollgate-runtime" 2>/dev/null)" = "$stamp" ] && loads; then exit 0; fi
rm -rf "$dest"; mkdir -p "$(dirname "$dest")"
if ! cp -al "$modules" "$dest" 2>/dev/null; then
  rm -rf "$dest"
  cp -a "$modules" "$dest" || { echo "Node.js $line: cannot copy node_modules" >&2; exit 1; }
fi
# Hard links share their contents: anything that is written goes to a real copy. Vite's and
# vitest's caches are rebuilt; better-sqlite3 is rebuilt for this runtime.
rm -rf "$dest/.vite" "$dest/.vitest" "$dest/better-sqlite3"
cp -a "$modules/better-sqlite3" "$dest/better-sqlite3"
rm -rf "$dest/better-sqlite3/build"
# `build-release` is node-gyp from source; its `install` script would first try a prebuilt binary
# download. npm run puts its own node-gyp on PATH; npm_config_nodedir points it at the headers.
if ! (cd "$dest/better-sqlite3" && PATH="$rt/bin:$PATH" npm_config_nodedir="$rt" \
      npm run --silent build-release >"$dir/build.log" 2>&1); then
  echo "Node.js $line: better-sqlite3 did not build:" >&2; tail -n 30 "$dir/build.log" >&2
  exit 1
fi
loads || { echo "Node.js $line: better-sqlite3 does not load" >&2; exit 1; }
echo "$stamp" > "$dest/.tollgate-runtime"
