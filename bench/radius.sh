#!/bin/bash
# bench/radius.sh — RADIUS benchmark: Tollgate against FreeRADIUS 3.2 on the same machine, same run.
#
# Scenarios (SCENARIOS, default all, in this order):
#   pap       PAP auth, USERS subscribers: Tollgate vs FreeRADIUS rlm_sql+sqlite (radcheck) and
#             FreeRADIUS rlm_files (users file), radload closed loop
#   mschapv2  MS-CHAPv2 auth, USERS subscribers: Tollgate vs FreeRADIUS rlm_files+rlm_mschap,
#             bench/mschapv2-load.mjs closed loop
#   acct      accounting sessions Start / Interim / Stop (--interims 1): Tollgate (acknowledged after
#             commit, synchronous=full) vs FreeRADIUS rlm_sql+sqlite (radacct), radload closed loop
#   storm     NAS reboot: STORM_SUBSCRIBERS logins (Access-Request then Accounting-Start) spread over
#             STORM_SPREAD s, then all at once (STORM_BURST=1), NAS retransmission 3 s x 3 tries:
#             Tollgate vs FreeRADIUS rlm_sql+sqlite, bench/storm.mjs
# Servers run on CPU SERVER_CPU, generators on GEN_CPU (taskset), as in the FreeRADIUS baseline.
# Within a scenario every server gets a fresh database, and the runs alternate between servers.
#
# Output: one JSON line per run in bench/results/SCENARIO-SERVER.jsonl (overwritten), the machine
# and versions in bench/results/run-info.json, and the summary tables in bench/README.md
# (between the "bench:radius" markers, by bench/summarize.mjs).
#
# Knobs (env): RUNS=3 DURATION=15 WARMUP=2 WINDOW=64 USERS=100000 FILES_USERS=$USERS
#   SCENARIOS="pap mschapv2 acct storm" STORM_SUBSCRIBERS=10000 STORM_SPREAD=30 STORM_BURST=1
#   POSTAUTH=1: also PAP against rlm_sql with post-auth logging into radpostauth (FRB_SQL_POSTAUTH=yes),
#               which is what Tollgate does (one auth_log row per Access-Request)
#   MSCHAP_CHALLENGES=per-user (or fresh: new challenges per request, costs the generator more)
#   MSCHAP_USERS=10000: users 1..N for MS-CHAPv2 (the generator computes every user's response
#                       before it starts, ~0.1 ms each, so that it does not limit the server)
#   SERVER_CPU=0 GEN_CPU=1 TG_AUTH_PORT=18121 TG_ACCT_PORT=18131 TG_SYNCHRONOUS=full
#   QUIET_PCT=15 QUIET_MAX=30: before each run wait up to QUIET_MAX s for the machine to be < QUIET_PCT % busy
#   MAX_OTHER=10: a run during which other processes used more than this (% of one core) is marked
#                 "clean": false and repeated once (RETRIES=1); the summary prefers clean runs
#   BUILD=1: compile src/ into bench/var/build (a private copy a concurrent `npm run build` cannot
#            remove mid-run); BUILD=0 uses BENCH_DIST (default: the package's dist/)
#   TG_NODE_LINE=24: run the daemon (and its seeding) on that Node.js line, fetched from the npm
#            registry with better-sqlite3 built for it (bench/var/node24); TG_NODE: any other binary;
#            TG_NODE_FLAGS: flags for the daemon alone. The generators stay on the machine's node.
#   PROFILE=1: run Tollgate under node --cpu-prof (profiles in bench/var/prof/)
#   NICE=0: e.g. -10 runs both servers (every thread) and the generators at a higher priority than
#           the rest of a busy machine; figures so taken are marked in results (nice field)
#   FRB_BASE=../shared/tools/freeradius-baseline (its scripts start, stop and seed FreeRADIUS)
#   RESULTS=bench/results  SUMMARY_TO=bench/README.md (empty: print the tables instead)
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
RUNS=${RUNS:-3}; DURATION=${DURATION:-15}; WARMUP=${WARMUP:-2}; WINDOW=${WINDOW:-64}
USERS=${USERS:-100000}; FILES_USERS=${FILES_USERS:-$USERS}
SCENARIOS=${SCENARIOS:-pap mschapv2 acct storm}
STORM_SUBSCRIBERS=${STORM_SUBSCRIBERS:-10000}; STORM_SPREAD=${STORM_SPREAD:-30}; STORM_BURST=${STORM_BURST:-1}
MSCHAP_CHALLENGES=${MSCHAP_CHALLENGES:-per-user}; MSCHAP_USERS=${MSCHAP_USERS:-10000}; POSTAUTH=${POSTAUTH:-1}
SERVER_CPU=${SERVER_CPU:-0}; GEN_CPU=${GEN_CPU:-1}
TG_AUTH_PORT=${TG_AUTH_PORT:-18121}; TG_ACCT_PORT=${TG_ACCT_PORT:-18131}; TG_SYNCHRONOUS=${TG_SYNCHRONOUS:-full}
QUIET_PCT=${QUIET_PCT:-15}; QUIET_MAX=${QUIET_MAX:-30}; MAX_OTHER=${MAX_OTHER:-10}; RETRIES=${RETRIES:-1}
BUILD=${BUILD:-1}; PROFILE=${PROFILE:-0}; NICE=${NICE:-0}
FRB_BASE=$(cd "${FRB_BASE:-$ROOT/../shared/tools/freeradius-baseline}" && pwd)
RADLOAD=$(cd "$FRB_BASE/../radload" && pwd)/radload.mjs
VAR=$BENCH/var; RESULTS=${RESULTS:-$BENCH/results}; SUMMARY_TO=${SUMMARY_TO-$BENCH/README.md}
# The baseline scripts write the users file, the sqlite database, pid files and logs under these;
# ../shared is read-only, so they point into bench/.
export FRB_RADDB=$BENCH/freeradius/raddb FRB_VAR=$VAR/freeradius
mkdir -p "$VAR/tollgate" "$FRB_VAR" "$FRB_RADDB/mods-config/files" "$RESULTS"
GEN=(nice -n "$NICE" taskset -c "$GEN_CPU")
# shellcheck source=lib/harness.sh
source "$BENCH/lib/harness.sh"
NCPU=$(nproc); TCK=$(getconf CLK_TCK); export NICE
T_START=$(date +%s)
log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }

# ---------------------------------------------------------------- build
tg_build

# ---------------------------------------------------------------- servers
TG_DIR=$VAR/tollgate; TG_CONF=$TG_DIR/tollgate.toml; TG_PIDF=$TG_DIR/tollgate.pid
cat >"$TG_CONF" <<EOF
# Written by bench/radius.sh.
[database]
path = "$TG_DIR/tollgate.db"
synchronous = "$TG_SYNCHRONOUS"
backup_before_migrate = false
[radius]
auth_listen = "127.0.0.1:$TG_AUTH_PORT"
acct_listen = "127.0.0.1:$TG_ACCT_PORT"
[http]
listen = "127.0.0.1:0"
[log]
level = "warn"
EOF

tg_seed() { "${TG_NODE:-node}" "$BENCH/seed.mjs" --config "$TG_CONF" --users "$USERS" >"$TG_DIR/seed.json"; log "tollgate seeded: $(cat "$TG_DIR/seed.json")"; }
FR_INST=""
fr_start() { FR_INST=$1; "$FRB_BASE/scripts/start.sh" "$1" "$SERVER_CPU" >&2; renice_all "$(cat "$FRB_VAR/$1.pid")"; }
fr_stop() { [[ -n $FR_INST ]] && "$FRB_BASE/scripts/stop.sh" "$FR_INST" >&2; FR_INST=""; }
fr_seed() {
  case $1 in
    sql) "$FRB_BASE/scripts/seed-sqlite.sh" "$USERS" >&2 ;;
    files | mschap) "$FRB_BASE/scripts/seed-files.sh" "$FILES_USERS" >&2 ;;
  esac
}
cleanup() { tg_stop; fr_stop; }
trap cleanup EXIT
trap 'exit 130' INT TERM

server_pid() { if [[ $1 == tollgate ]]; then cat "$TG_PIDF"; else cat "$FRB_VAR/$FR_INST.pid"; fi; }

radload_cmd() { # MODE PORT LABEL
  echo node "$RADLOAD" --mode "$1" --port "$2" --users "1-$USERS" --window "$WINDOW" --duration "$DURATION" --warmup "$WARMUP" --interims 1 --quiet --label "$3"
}
mschap_cmd() { # PORT LABEL
 echo node "$BENCH/mschapv2-load.mjs" --port "$1" --users "1-$MSCHAP_USERS" --window "$WINDOW" --duration "$DURATION" --warmup "$WARMUP" --challenges "$MSCHAP_CHALLENGES" --quiet --label "$2"
}
# ---------------------------------------------------------------- machine info
tg_run_info "RUNS=$RUNS DURATION=$DURATION WARMUP=$WARMUP WINDOW=$WINDOW USERS=$USERS FILES_USERS=$FILES_USERS SERVER_CPU=$SERVER_CPU GEN_CPU=$GEN_CPU NICE=$NICE TG_SYNCHRONOUS=$TG_SYNCHRONOUS MSCHAP_CHALLENGES=$MSCHAP_CHALLENGES MSCHAP_USERS=$MSCHAP_USERS STORM=$STORM_SUBSCRIBERS/$STORM_SPREAD" 'sqlite3=sqlite3 --version | cut -d" " -f1'

TG_AUTH="tollgate:$(radload_cmd auth "$TG_AUTH_PORT" pap/tollgate)"

for sc in $SCENARIOS; do
  log "=== scenario $sc"
  case $sc in
    pap)
      fresh pap-tollgate pap-fr-sql pap-fr-sql-postauth pap-fr-files
      tg_seed; tg_start
      fr_seed sql; fr_start sql
      alternate pap "$TG_AUTH" "fr-sql:$(radload_cmd auth 18120 pap/fr-sql)"
      fr_stop
      if [[ $POSTAUTH == 1 ]]; then
        # rlm_sql also INSERTs every auth into radpostauth (indexed on username, like Tollgate's auth_log)
        fr_seed sql; FRB_SQL_POSTAUTH=yes fr_start sql
        alternate pap "$TG_AUTH" "fr-sql-postauth:$(radload_cmd auth 18120 pap/fr-sql-postauth)"
        fr_stop
      fi
      fr_seed files; fr_start files
      alternate pap "$TG_AUTH" "fr-files:$(radload_cmd auth 18120 pap/fr-files)"
      fr_stop; tg_stop
      ;;
    mschapv2)
      fresh mschapv2-tollgate mschapv2-fr-files
      tg_seed; tg_start
      fr_seed mschap; fr_start mschap
      alternate mschapv2 "tollgate:$(mschap_cmd "$TG_AUTH_PORT" mschapv2/tollgate)" "fr-files:$(mschap_cmd 18120 mschapv2/fr-files)"
      fr_stop; tg_stop
      ;;
    acct)
      fresh acct-tollgate acct-fr-sql
      tg_seed; tg_start
      fr_seed sql; fr_start sql
      alternate acct "tollgate:$(radload_cmd acct "$TG_ACCT_PORT" acct/tollgate)" "fr-sql:$(radload_cmd acct 18130 acct/fr-sql)"
      log "tollgate sessions: $(sqlite3 "$TG_DIR/tollgate.db" 'select count(*), sum(stopped_at is null) from radius_sessions')  fr radacct: $(sqlite3 "$FRB_VAR/radius.sqlite" 'select count(*), sum(acctstoptime is null) from radacct')"
      fr_stop; tg_stop
      ;;
    storm)
      fresh storm-tollgate storm-fr-sql
      tg_seed; tg_start
      fr_seed sql; fr_start sql
      spreads=$STORM_SPREAD; [[ $STORM_BURST == 1 ]] && spreads="$spreads 0"
      for spread in $spreads; do
        for srv in tollgate fr-sql; do
          if [[ $srv == tollgate ]]; then ap=$TG_AUTH_PORT; cp=$TG_ACCT_PORT; else ap=18120; cp=18130; fi
          wait_quiet
          load=$(cut -d' ' -f1-3 /proc/loadavg)
          json=$("${GEN[@]}" node "$BENCH/storm.mjs" --auth-port "$ap" --acct-port "$cp" --subscribers "$STORM_SUBSCRIBERS" --spread "$spread" --quiet --label "storm/$srv/spread$spread")
          line=$(node -e 'const a=JSON.parse(process.argv[1]); Object.assign(a,{scenario:"storm",server:process.argv[2],busy_pct_before_run:+process.argv[3],loadavg:process.argv[4],at:new Date().toISOString()}); console.log(JSON.stringify(a))' "$json" "$srv" "$BG_BEFORE" "$load")
          echo "$line" >>"$RESULTS/storm-$srv.jsonl"
          node -e 'const a=JSON.parse(process.argv[1]); const l=a.latency_ms; console.error(`  storm ${a.server.padEnd(9)} spread=${a.spread_s}s completed in ${a.completed_in_s}s unanswered=${a.unanswered} accept=${a.counts.accept} reject=${a.counts.reject} acct=${a.counts.acct_response} retransmits=${a.counts.auth_retransmits}+${a.counts.acct_retransmits} auth p99=${l.auth.p99} acct p99=${l.acct.p99} login p99=${l.login.p99} ms`)' "$line"
        done
      done
      fr_stop; tg_stop
      ;;
    *) echo "unknown scenario $sc" >&2; exit 2 ;;
  esac
done

if [[ -n $SUMMARY_TO ]]; then node "$BENCH/summarize.mjs" --results "$RESULTS" --write "$SUMMARY_TO"; else node "$BENCH/summarize.mjs" --results "$RESULTS"; fi
log "done in $(( $(date +%s) - T_START )) s; results in $RESULTS, summary in bench/README.md"
