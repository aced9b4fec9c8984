#!/bin/bash
# bench/cost.sh — server CPU time per request for Tollgate, at a fixed offered rate and at
# saturation. CPU time per request (from /proc/PID/stat) moves much less than req/s when other
# work shares the machine, so this is the figure to compare builds with on a busy machine.
#   BENCH_DIST=bench/var/build/dist bench/cost.sh [LABEL]
# env: USERS=100000 RATE=4000 ACCT_RATE=2000 SECS=10 SERVER_CPU=0 GEN_CPU=1
#      NICE=-10: run server and generator at a higher priority than the rest of a busy machine
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd); ROOT=$(dirname "$BENCH")
export BENCH_DIST=${BENCH_DIST:-$ROOT/dist}
LABEL=${1:-$(basename "$(dirname "$BENCH_DIST")")}
USERS=${USERS:-100000}; RATE=${RATE:-4000}; ACCT_RATE=${ACCT_RATE:-2000}; SECS=${SECS:-10}
SERVER_CPU=${SERVER_CPU:-0}; GEN_CPU=${GEN_CPU:-1}; NICE=${NICE:-0}
RADLOAD=$(cd "${FRB_BASE:-$ROOT/../shared/tools/freeradius-baseline}/../radload" && pwd)/radload.mjs
DIR=$BENCH/var/cost; mkdir -p "$DIR"
cat >"$DIR/tollgate.toml" <<EOT
[database]
path = "$DIR/tollgate.db"
synchronous = "${TG_SYNCHRONOUS:-full}"
backup_before_migrate = false
[radius]
auth_listen = "127.0.0.1:18122"
acct_listen = "127.0.0.1:18132"
[http]
listen = "127.0.0.1:0"
[log]
level = "warn"
EOT
node "$BENCH/seed.mjs" --config "$DIR/tollgate.toml" --users "$USERS" >/dev/null
setsid nice -n "$NICE" taskset -c "$SERVER_CPU" node "$BENCH/lib/serve.mjs" serve --config "$DIR/tollgate.toml" >"$DIR/tollgate.log" 2>&1 </dev/null &
PID=$!
trap 'kill -TERM $PID 2>/dev/null; wait $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 200); do ss -Hluan "sport = :18132" | grep -q . && break; sleep 0.1; done
ticks() { awk '{print $14+$15}' "/proc/$PID/stat"; }
TCK=$(getconf CLK_TCK)
gen() { nice -n "$NICE" taskset -c "$GEN_CPU" node "$RADLOAD" --quiet "$@"; }
# every subscriber once, so the runs below measure the warm path (as a long-running server is)
gen --mode auth --port 18122 --users "1-$USERS" --pick seq --count "$USERS" --window 64 >/dev/null
row() { # NAME MODE PORT RADLOAD-ARGS...
  local name=$1 mode=$2 port=$3; shift 3
  local a j b
  a=$(ticks); j=$(gen --mode "$mode" --port "$port" --users "1-$USERS" --window 64 --duration "$SECS" --warmup 0 --interims 1 "$@"); b=$(ticks)
  node -e 'const [j,a,b,tck,label,name]=process.argv.slice(1); const r=JSON.parse(j); const n=r.counts.accept+r.counts.reject+r.counts.acct_response; const cpu=(b-a)/tck;
    console.log(`${label.padEnd(14)} ${name.padEnd(12)} ${String(r.req_per_s).padStart(8)} req/s  p50 ${r.latency_ms.p50} p99 ${r.latency_ms.p99} ms  server ${(100*cpu/r.measured_s).toFixed(0)}% cpu  ${(1e6*cpu/n).toFixed(1)} us cpu/req  rejects ${r.counts.reject} timeouts ${r.timeouts}`)' "$j" "$a" "$b" "$TCK" "$LABEL" "$name"
}
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
row "pap@$RATE" auth 18122 --rate "$RATE"
row "pap max" auth 18122
row "acct@$ACCT_RATE" acct 18132 --rate "$ACCT_RATE"
row "acct max" acct 18132
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
