# bench/lib/harness.sh — the measurement steps bench/radius.sh and bench/postgres.sh share: waiting
# for a quiet machine, one measured run with server and system CPU sampled over its steady part, the
# alternation of servers between rounds. Sourced; it uses the caller's knobs and paths (WARMUP,
# DURATION, RUNS, RETRIES, QUIET_PCT, QUIET_MAX, MAX_OTHER, NICE, VAR, RESULTS, GEN, TCK, NCPU) and its
# `server_pid SERVER` and `log` functions. tg_start and tg_stop run Tollgate from TG_CONF (its pid in
# TG_PIDF, its log in TG_DIR) on SERVER_CPU; TG_BIND_WAIT (s, default 20) bounds the wait for its ports.
# tg_build compiles or finds the daemon (BUILD, BENCH_DIST, ROOT) and its runtime (TG_NODE_LINE, TG_NODE).

port_busy() { ss -Hluan "sport = :$1" | grep -q .; }

# renice every thread of a server (renice on a pid alone changes only its main thread)
renice_all() { [[ $NICE == 0 ]] || for t in /proc/"$1"/task/*; do renice -n "$NICE" -p "${t##*/}" >/dev/null; done; }
# ---------------------------------------------------------------- measurement helpers (as in the baseline's run-scenario.sh)
proc_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
# /proc/stat: busy = all but idle+iowait; task = user+nice+system
sys_ticks() { awk '/^cpu /{tot=0; for(i=2;i<=NF;i++) tot+=$i; print tot-$5-$6, $2+$3+$4, tot}' /proc/stat; }
busy_over_1s() {
  local b0 x0 t0 b1 x1 t1
  read -r b0 x0 t0 < <(sys_ticks); sleep 1; read -r b1 x1 t1 < <(sys_ticks)
  awk -v a="$b0" -v b="$b1" -v c="$t0" -v d="$t1" 'BEGIN{printf "%.0f", 100*(b-a)/(d-c)}'
}
BG_BEFORE=0
wait_quiet() {
  local waited=0 bz
  while :; do
    bz=$(busy_over_1s)
    if (( bz < QUIET_PCT )) || (( waited >= QUIET_MAX )); then
      (( bz >= QUIET_PCT )) && log "machine ${bz}% busy (top: $(ps -eo pcpu,comm --sort=-pcpu | sed -n 2p | tr -s ' ')); measuring anyway"
      BG_BEFORE=$bz; return 0
    fi
    sleep 2; waited=$((waited + 3))
  done
}

# run_one SCENARIO SERVER CMD... : one measured run, JSON line appended to results/SCENARIO-SERVER.jsonl.
# Returns 0 when the run was clean.
run_one() {
  local sc=$1 srv=$2; shift 2
  local out=$RESULTS/$sc-$srv.jsonl pid sampler json line
  pid=$(server_pid "$srv")
  wait_quiet
  local load; load=$(cut -d' ' -f1-3 /proc/loadavg)
  # server and system CPU over the steady part of the measured window
  ( sleep "$(awk -v w="$WARMUP" 'BEGIN{print w+0.5}')"
    a=$(proc_ticks "$pid"); read -r b0 x0 t0 < <(sys_ticks); s0=$(date +%s.%N)
    sleep "$(awk -v d="$DURATION" 'BEGIN{print (d>2)?d-1:d/2}')"
    a1=$(proc_ticks "$pid"); read -r b1 x1 t1 < <(sys_ticks); s1=$(date +%s.%N)
    awk -v a="$a" -v a1="$a1" -v b0="$b0" -v b1="$b1" -v x0="$x0" -v x1="$x1" -v t0="$t0" -v t1="$t1" -v s0="$s0" -v s1="$s1" -v tck="$TCK" \
      'BEGIN{ printf "{\"server_cpu_pct\":%.1f,\"system_busy_pct_of_all_cpus\":%.1f,\"system_task_pct_of_all_cpus\":%.1f}\n", 100*(a1-a)/tck/(s1-s0), 100*(b1-b0)/(t1-t0), 100*(x1-x0)/(t1-t0) }'
  ) >"$VAR/cpu.sample" &
  sampler=$!
  json=$("${GEN[@]}" "$@")
  wait "$sampler"
  line=$(node -e '
    const [j, cpu, sc, srv, bg, load, maxOther, ncpu] = process.argv.slice(1);
    const a = Object.assign(JSON.parse(j), JSON.parse(cpu), { scenario: sc, server: srv, busy_pct_before_run: +bg, loadavg: load, nice: +process.env.NICE, at: new Date().toISOString() });
    // CPU (% of one core) used by anything other than this server and this generator
    a.other_cpu_pct_est = Math.round(10 * (ncpu * a.system_task_pct_of_all_cpus - a.server_cpu_pct - a.generator_cpu.pct_of_one_core)) / 10;
    a.clean = a.other_cpu_pct_est <= +maxOther && !a.hard_stop;
    console.log(JSON.stringify(a));' "$json" "$(cat "$VAR/cpu.sample")" "$sc" "$srv" "$BG_BEFORE" "$load" "$MAX_OTHER" "$NCPU")
  echo "$line" >>"$out"
  node -e 'const a=JSON.parse(process.argv[1]); const c=a.counts; console.error(`  ${a.scenario} ${a.server.padEnd(11)} ${String(a.req_per_s).padStart(8)} req/s  p50=${a.latency_ms.p50} p99=${a.latency_ms.p99} ms  ok=${c.accept+c.acct_response} rej=${c.reject} timeouts=${a.timeouts} errors=${a.errors_total}  server_cpu=${a.server_cpu_pct}% gen_cpu=${a.generator_cpu.pct_of_one_core}% other~${a.other_cpu_pct_est}% ${a.clean ? "clean" : "NOT CLEAN (other load)"}`)' "$line"
  [[ $(node -e 'console.log(JSON.parse(process.argv[1]).clean)' "$line") == true ]]
}

# run_until_clean: as run_one, repeated at most RETRIES times when another load disturbed it.
run_until_clean() {
  local try=0
  until run_one "$@"; do
    try=$((try + 1)); (( try > RETRIES )) && { log "  keeping a run measured under load"; return 0; }
  done
}

warm() { "${GEN[@]}" "$@" --duration 2 --warmup 0 >/dev/null; }

# alternate SCENARIO "server:cmd..." "server:cmd..." : RUNS rounds, the order flipped every round
alternate() {
  local sc=$1; shift
  local specs=("$@") r i n=${#specs[@]}
  for spec in "${specs[@]}"; do warm ${spec#*:}; done
  for r in $(seq 1 "$RUNS"); do
    for i in $(seq 0 $((n - 1))); do
      local k=$(( r % 2 == 1 ? i : n - 1 - i ))
      local spec=${specs[$k]}
      run_until_clean "$sc" "${spec%%:*}" ${spec#*:}
    done
  done
}

fresh() { for f in "$@"; do : >"$RESULTS/$f.jsonl"; done; }

# run-info.json: the machine, the daemon's Node.js (TG_NODE) and the generator's, FreeRADIUS,
# Tollgate's commit and the knobs ($1), and for each NAME=COMMAND that follows, NAME with what
# COMMAND prints (the database's version). summarize.mjs builds each table's header from it.
tg_run_info() {
  "${TG_NODE:-node}" -e '
    const os = require("os"); const { execSync } = require("child_process");
    const sh = (c) => { try { return execSync(c, { encoding: "utf8" }).trim(); } catch { return null; } };
    const [root, knobs, ...extra] = process.argv.slice(1);
    console.log(JSON.stringify({
      date: new Date().toISOString(), cpus: os.cpus().length, cpu_model: os.cpus()[0].model, mem_gib: Math.round(os.totalmem() / 2**30),
      kernel: os.release(), node: process.version, generator_node: sh("node --version"), freeradius: sh("freeradius -v | head -1"),
      ...Object.fromEntries(extra.map((e) => [e.slice(0, e.indexOf("=")), sh(e.slice(e.indexOf("=") + 1))])),
      tollgate_commit: sh("git -C " + root + " rev-parse --short HEAD"), tollgate_dirty: !!sh("git -C " + root + " status --porcelain -- src"),
      knobs, loadavg_at_start: os.loadavg(),
    }));' "$ROOT" "$@" >"$RESULTS/run-info.json"
  log "machine: $(cat "$RESULTS/run-info.json")"
}

# The daemon's build and runtime. BUILD=1 compiles src/ into $VAR/build/dist, a private copy that a
# concurrent `npm run build` (which empties dist/ first) cannot pull away mid-run; BUILD=0 runs
# BENCH_DIST (default: the package's dist/). TG_NODE_LINE=24 runs the daemon alone on that Node.js
# line, fetched from the npm registry into $VAR/node<LINE> with a node_modules built for it
# (scripts/node-runtime.sh), which the private build resolves its packages from; with BUILD=0 the
# build's own packages are used (on PostgreSQL the daemon loads no native addon of its own).
# TG_NODE names any other binary for the daemon.
tg_build() {
  if [[ -n ${TG_NODE_LINE:-} ]]; then
    log "Node.js $TG_NODE_LINE for the daemon in $VAR/node$TG_NODE_LINE"
    "$ROOT/scripts/node-runtime.sh" "$TG_NODE_LINE" "$VAR/node$TG_NODE_LINE" "$VAR/node$TG_NODE_LINE/node_modules" || exit 1
    TG_NODE=$VAR/node$TG_NODE_LINE/package/bin/node
  fi
  if [[ $BUILD == 1 ]]; then
    export BENCH_DIST=$VAR/build/dist
    log "compiling src/ into $BENCH_DIST"
    rm -rf "$VAR/build"; mkdir -p "$VAR/build"
    # dist/ resolves migrations/ and dictionaries/ two and three levels up, as in the package.
    for d in migrations migrations-pg dictionaries; do ln -s "$ROOT/$d" "$VAR/build/$d"; done
    [[ -n ${TG_NODE_LINE:-} ]] && ln -s "$VAR/node$TG_NODE_LINE/node_modules" "$VAR/build/node_modules"
    node "$ROOT/node_modules/typescript/bin/tsc" -p "$ROOT/tsconfig.json" --outDir "$BENCH_DIST"
  else
    export BENCH_DIST=${BENCH_DIST:-$ROOT/dist}
  fi
  [[ -f $BENCH_DIST/cli/main.js ]] || { echo "no compiled daemon in $BENCH_DIST (npm run build, or BUILD=1)" >&2; exit 1; }
  log "daemon: $BENCH_DIST on Node.js $("${TG_NODE:-node}" --version)"
}

tg_start() {
  for p in "$TG_AUTH_PORT" "$TG_ACCT_PORT"; do port_busy "$p" && { echo "udp port $p busy" >&2; exit 1; }; done
  local prof=()
  [[ ${PROFILE:-0} == 1 ]] && { mkdir -p "$VAR/prof"; prof=(--cpu-prof --cpu-prof-dir "$VAR/prof"); }
  # TG_NODE_FLAGS: V8 or Node.js flags for the daemon alone (e.g. --max-semi-space-size=32);
  # TG_NODE: its runtime (tg_build).
  # shellcheck disable=SC2086
  setsid taskset -c "$SERVER_CPU" "${TG_NODE:-node}" ${TG_NODE_FLAGS:-} "${prof[@]}" "$BENCH/lib/serve.mjs" serve --config "$TG_CONF" >"$TG_DIR/tollgate.log" 2>&1 </dev/null &
  echo $! >"$TG_PIDF"
  for _ in $(seq 1 $(( ${TG_BIND_WAIT:-20} * 10 ))); do
    port_busy "$TG_ACCT_PORT" && port_busy "$TG_AUTH_PORT" && { renice_all "$(cat "$TG_PIDF")"; log "tollgate started pid=$(cat "$TG_PIDF") cpu=$SERVER_CPU"; return 0; }
    kill -0 "$(cat "$TG_PIDF")" 2>/dev/null || { cat "$TG_DIR/tollgate.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "tollgate did not bind in ${TG_BIND_WAIT:-20} s" >&2; cat "$TG_DIR/tollgate.log" >&2; exit 1
}
# Waits for the daemon's "service cache warm" log line (needs [log] level = "info"): until then
# logins of services not reached yet read the database, and the warm-up itself takes CPU, which is
# start-up cost, not the latency of a running server.
tg_wait_warm() {
  local t0=$SECONDS
  until grep -q '"msg":"service cache warm"' "$TG_DIR/tollgate.log"; do
    kill -0 "$(cat "$TG_PIDF")" 2>/dev/null || { cat "$TG_DIR/tollgate.log" >&2; exit 1; }
    (( SECONDS - t0 > ${TG_WARM_WAIT:-600} )) && { echo "tollgate's service cache not warm after ${TG_WARM_WAIT:-600} s" >&2; exit 1; }
    sleep 0.5
  done
  log "tollgate cache warm: $(grep -o '"services":[0-9]*,"seconds":[0-9.]*' "$TG_DIR/tollgate.log" | tail -1) (waited $(( SECONDS - t0 )) s)"
}
tg_stop() {
  [[ -f $TG_PIDF ]] || return 0
  local pid; pid=$(cat "$TG_PIDF")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && { log "tollgate pid $pid still alive, sending KILL"; kill -KILL "$pid"; }
  fi
  rm -f "$TG_PIDF"
}
