#!/bin/bash
# bench/postgres.sh — Tollgate on PostgreSQL against FreeRADIUS 3.2 rlm_sql_postgresql, both on ONE
# PostgreSQL server that this script starts, in the same run.
#
# Scenarios (SCENARIOS, default all, in this order):
#   pap      PAP auth, USERS subscribers, radload closed loop: Tollgate ([database] url) vs
#            FreeRADIUS rlm_sql_postgresql (radcheck), with post-auth logging (radpostauth) as
#            Tollgate logs every Access-Request (POSTAUTH=0: without)
#   acct     accounting sessions Start / Interim / Stop, closed loop: Tollgate (answers after the
#            batch committed with synchronous_commit = on) vs FreeRADIUS (radacct, each statement
#            committed with the same setting before its answer)
#   latency  PAP at fixed rates (RATES, requests/s) on LAT_USERS subscribers (1,000,000): p50, p99
#            and p99.9 per server and rate; a run that cannot keep the rate says so (req/s achieved)
# The daemon, PostgreSQL and the generator share the machine (2 cores here) unless SERVER_CPU and
# GEN_CPU pin them; within a scenario the servers alternate between rounds.
#
# Output: JSON lines in bench/results/postgres/SCENARIO-SERVER.jsonl (overwritten), run-info.json,
# and the tables in bench/README.md between the "bench:postgres" markers (bench/summarize.mjs --set postgres).
#
# Knobs (env): RUNS=3 DURATION=15 WARMUP=2 WINDOW=64 USERS=100000 LAT_USERS=1000000 RATES="1000 2000 5000"
#   LAT_DURATION=20 SCENARIOS="pap acct latency" POSTAUTH=1 SERVER_CPU=0-1 GEN_CPU=0-1 NICE=0
#   PG_PORT=15432 PG_SHARED_BUFFERS=1GB PG_LOCALE=C.UTF-8 TG_POOL=10 TG_AUTH_PORT=18121 TG_ACCT_PORT=18131
#   QUIET_PCT, QUIET_MAX, RETRIES=0, BUILD, BENCH_DIST, TG_NODE_LINE, TG_NODE, TG_NODE_FLAGS: as
#   bench/radius.sh; MAX_OTHER=120 (PostgreSQL's CPU is part of "other" here)
#   CAP_BYTES: give the seeded plan a monthly data cap of that many bytes (the data-cap watcher then
#   follows every accounting record with traffic, as on a capped network)
#   KEEP_PG=1: leave the PostgreSQL server running at the end (bench/var/pg)
#   PG_CONF_EXTRA: lines added to postgresql.conf, e.g. "shared_preload_libraries = 'pg_stat_statements'"
#   to see where the server's time goes
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
RUNS=${RUNS:-3}; DURATION=${DURATION:-15}; WARMUP=${WARMUP:-2}; WINDOW=${WINDOW:-64}
USERS=${USERS:-100000}; LAT_USERS=${LAT_USERS:-1000000}; RATES=${RATES:-1000 2000 5000}; LAT_DURATION=${LAT_DURATION:-20}
SCENARIOS=${SCENARIOS:-pap acct latency}; POSTAUTH=${POSTAUTH:-1}
SERVER_CPU=${SERVER_CPU:-0-$(( $(nproc) - 1 ))}; GEN_CPU=${GEN_CPU:-0-$(( $(nproc) - 1 ))}
PG_PORT=${PG_PORT:-15432}; PG_SHARED_BUFFERS=${PG_SHARED_BUFFERS:-1GB}; PG_LOCALE=${PG_LOCALE:-C.UTF-8}; TG_POOL=${TG_POOL:-10}
TG_AUTH_PORT=${TG_AUTH_PORT:-18121}; TG_ACCT_PORT=${TG_ACCT_PORT:-18131}
# PostgreSQL's own CPU counts as "other" in the harness's estimate (it is not the server process),
# so a run is called clean unless the rest of the machine adds well beyond what PostgreSQL uses.
QUIET_PCT=${QUIET_PCT:-15}; QUIET_MAX=${QUIET_MAX:-30}; MAX_OTHER=${MAX_OTHER:-120}; RETRIES=${RETRIES:-0}
BUILD=${BUILD:-1}; NICE=${NICE:-0}; KEEP_PG=${KEEP_PG:-0}
FRB_BASE=$(cd "${FRB_BASE:-$ROOT/../shared/tools/freeradius-baseline}" && pwd)
RADLOAD=$(cd "$FRB_BASE/../radload" && pwd)/radload.mjs
VAR=$BENCH/var; RESULTS=${RESULTS:-$BENCH/results/postgres}; SUMMARY_TO=${SUMMARY_TO-$BENCH/README.md}
export FRB_RADDB=$BENCH/freeradius/raddb FRB_VAR=$VAR/freeradius
mkdir -p "$VAR/tollgate-pg" "$FRB_VAR" "$RESULTS"
GEN=(nice -n "$NICE" taskset -c "$GEN_CPU")
NCPU=$(nproc); TCK=$(getconf CLK_TCK); export NICE
T_START=$(date +%s)
log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
# shellcheck source=lib/harness.sh
source "$BENCH/lib/harness.sh"

command -v freeradius >/dev/null && [[ -f /usr/lib/freeradius/rlm_sql_postgresql.so ]] ||
  { echo "needs freeradius and freeradius-postgresql: apt-get install -y freeradius freeradius-postgresql" >&2; exit 1; }
PG_BIN=$(pg_config --bindir 2>/dev/null || true)
[[ -x $PG_BIN/initdb ]] || { echo "needs PostgreSQL's server (initdb under pg_config --bindir): apt-get install -y postgresql" >&2; exit 1; }

# ---------------------------------------------------------------- build
tg_build

# ---------------------------------------------------------------- PostgreSQL
# One cluster for both servers, durable as in production (fsync and synchronous_commit on). initdb
# refuses root: under root the server runs as the postgres system user.
PG_DIR=$VAR/pg; PG_DATA=$PG_DIR/data; PG_PW=bench-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
as_pg() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
psql_admin() { as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_DIR" -p "$PG_PORT" -U postgres "$@"; }
pg_up() {
  # A server left running by KEEP_PG=1 is stopped first: removing its data directory under it
  # would leave a postmaster writing into deleted files and holding the port.
  pg_down
  rm -rf "$PG_DIR"; mkdir -p "$PG_DIR"
  [[ $(id -u) == 0 ]] && chown postgres: "$PG_DIR"
  (cd "$PG_DIR" && as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale="$PG_LOCALE" --auth-local=trust --auth-host=scram-sha-256 >/dev/null)
  cat >>"$PG_DATA/postgresql.conf" <<CONF
# bench/postgres.sh
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_DIR'
max_connections = 100
shared_buffers = $PG_SHARED_BUFFERS
max_wal_size = 4GB
min_wal_size = 2GB
synchronous_commit = on
${PG_CONF_EXTRA:-}
CONF
  (cd "$PG_DIR" && as_pg "$PG_BIN/pg_ctl" start -D "$PG_DATA" -l "$PG_DIR/server.log" -w -t 60 >/dev/null)
  psql_admin -d postgres -c "create role tollgate login password '$PG_PW'" -c "create role radius login password '$PG_PW'"
  # A new cluster has no WAL segments to recycle: the first rounds would create (zero-fill and
  # fsync) 16 MB files as they go, which a server that has been running does not do. Write 1.5 GB
  # of WAL once and checkpoint, so that every round of both servers reuses segments (min_wal_size
  # keeps them).
  psql_admin -d postgres -c "create table wal_fill as select g, repeat('x', 1500) as pad from generate_series(1, 1000000) g" \
    -c "drop table wal_fill" -c "checkpoint"
  log "postgresql $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT (shared_buffers $PG_SHARED_BUFFERS, locale $PG_LOCALE)"
}
pg_down() { [[ -f $PG_DATA/postmaster.pid ]] && (cd "$PG_DIR" && as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w >/dev/null) || true; }
fresh_db() { psql_admin -d postgres -c "drop database if exists $1 with (force)" -c "create database $1 owner $2"; }

# ---------------------------------------------------------------- servers
# The daemon opens PostgreSQL and migrates before it binds: tg_start (lib/harness.sh) waits up to 60 s.
TG_BIND_WAIT=60
TG_DIR=$VAR/tollgate-pg; TG_CONF=$TG_DIR/tollgate.toml; TG_PIDF=$TG_DIR/tollgate.pid
write_tg_conf() {
  cat >"$TG_CONF" <<CONF
# Written by bench/postgres.sh.
[database]
path = "$TG_DIR/tollgate.db"
url = "postgres://tollgate:$PG_PW@127.0.0.1:$PG_PORT/tollgate"
pool_size = $TG_POOL
backup_before_migrate = false
[radius]
auth_listen = "127.0.0.1:$TG_AUTH_PORT"
acct_listen = "127.0.0.1:$TG_ACCT_PORT"
[http]
listen = "127.0.0.1:0"
[log]
# info: the "service cache warm" line tg_wait_warm waits for (nothing is logged per request).
level = "info"
CONF
  chmod 600 "$TG_CONF"
}
tg_seed() { # USERS
  fresh_db tollgate tollgate
  "${TG_NODE:-node}" "$BENCH/seed.mjs" --config "$TG_CONF" --users "$1" ${CAP_BYTES:+--cap-bytes "$CAP_BYTES"} >"$TG_DIR/seed.json"
  psql_admin -d tollgate -c 'vacuum analyze' >/dev/null
  log "tollgate seeded: $(cat "$TG_DIR/seed.json")"
}
FR_UP=0
fr_seed() { # USERS: Debian's PostgreSQL schema, USERS rows in radcheck
  local q=$FRB_RADDB/mods-config/sql/main/postgresql
  mkdir -p "$q"; cp /etc/freeradius/3.0/mods-config/sql/main/postgresql/{queries.conf,schema.sql} "$q/"
  [[ -f $FRB_RADDB/dictionary ]] || cp /etc/freeradius/3.0/dictionary "$FRB_RADDB/dictionary"
  fresh_db radius radius
  as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_DIR" -p "$PG_PORT" -U radius -d radius <"$q/schema.sql" >/dev/null
  psql_admin -d radius -c "insert into radcheck (username, attribute, op, value) select 'user' || i, 'Cleartext-Password', ':=', 'pw' || i from generate_series(1, $1) i" \
    -c 'vacuum analyze' >/dev/null
  log "freeradius seeded: $1 users in radcheck"
}
fr_start() {
  FRB_PG_PORT=$PG_PORT FRB_PG_PASSWORD=$PG_PW FRB_SQL_POSTAUTH=${1:-no} "$FRB_BASE/scripts/start.sh" sqlpg "$SERVER_CPU" >&2
  FR_UP=1; renice_all "$(cat "$FRB_VAR/sqlpg.pid")"
}
fr_stop() { [[ $FR_UP == 1 ]] && "$FRB_BASE/scripts/stop.sh" sqlpg >&2; FR_UP=0; }
cleanup() { tg_stop; fr_stop; [[ $KEEP_PG == 1 ]] || pg_down; }
trap cleanup EXIT
trap 'exit 130' INT TERM
server_pid() { if [[ $1 == tollgate ]]; then cat "$TG_PIDF"; else cat "$FRB_VAR/sqlpg.pid"; fi; }

radload_cmd() { # MODE PORT LABEL USERS [extra...]
  local mode=$1 port=$2 label=$3 users=$4; shift 4
  echo node "$RADLOAD" --mode "$mode" --port "$port" --users "1-$users" --window "$WINDOW" --duration "$DURATION" --warmup "$WARMUP" --interims 1 --quiet --label "$label" "$@"
}

# ---------------------------------------------------------------- machine info
tg_run_info "RUNS=$RUNS DURATION=$DURATION WARMUP=$WARMUP WINDOW=$WINDOW USERS=$USERS LAT_USERS=$LAT_USERS RATES=$RATES LAT_DURATION=$LAT_DURATION POSTAUTH=$POSTAUTH SERVER_CPU=$SERVER_CPU GEN_CPU=$GEN_CPU TG_POOL=$TG_POOL PG_SHARED_BUFFERS=$PG_SHARED_BUFFERS PG_LOCALE=$PG_LOCALE" "postgresql=$PG_BIN/postgres --version"

pg_up
write_tg_conf
fr_mode=no; fr_name=fr-sqlpg
[[ $POSTAUTH == 1 ]] && { fr_mode=yes; fr_name=fr-sqlpg-postauth; }
for sc in $SCENARIOS; do
  log "=== scenario $sc"
  case $sc in
    pap)
      fresh pap-tollgate "pap-$fr_name"
      tg_seed "$USERS"; tg_start; tg_wait_warm
      fr_seed "$USERS"; fr_start "$fr_mode"
      alternate pap "tollgate:$(radload_cmd auth "$TG_AUTH_PORT" pap/tollgate "$USERS")" "$fr_name:$(radload_cmd auth 18120 "pap/$fr_name" "$USERS")"
      fr_stop; tg_stop
      ;;
    acct)
      fresh acct-tollgate acct-fr-sqlpg
      tg_seed "$USERS"; tg_start
      fr_seed "$USERS"; fr_start no
      alternate acct "tollgate:$(radload_cmd acct "$TG_ACCT_PORT" acct/tollgate "$USERS")" "fr-sqlpg:$(radload_cmd acct 18130 acct/fr-sqlpg "$USERS")"
      log "tollgate sessions: $(psql_admin -d tollgate -At -c 'select count(*), count(*) filter (where stopped_at is null) from radius_sessions')  fr radacct: $(psql_admin -d radius -At -c 'select count(*), count(*) filter (where acctstoptime is null) from radacct')"
      fr_stop; tg_stop
      ;;
    latency)
      # Fixed rates: the latency a NAS sees below saturation, on a database of LAT_USERS subscribers.
      for r in $RATES; do fresh "latency$r-tollgate" "latency$r-$fr_name"; done
      tg_seed "$LAT_USERS"; tg_start; tg_wait_warm
      fr_seed "$LAT_USERS"; fr_start "$fr_mode"
      saved=$DURATION; DURATION=$LAT_DURATION
      for r in $RATES; do
        # The window only caps requests in flight at a fixed rate: wide enough not to limit 5,000/s at 50 ms.
        alternate "latency$r" "tollgate:$(radload_cmd auth "$TG_AUTH_PORT" "latency$r/tollgate" "$LAT_USERS" --rate "$r" --window 512)" \
          "$fr_name:$(radload_cmd auth 18120 "latency$r/$fr_name" "$LAT_USERS" --rate "$r" --window 512)"
      done
      DURATION=$saved
      fr_stop; tg_stop
      ;;
    *) echo "unknown scenario $sc" >&2; exit 2 ;;
  esac
done

if [[ -n $SUMMARY_TO ]]; then node "$BENCH/summarize.mjs" --set postgres --results "$RESULTS" --write "$SUMMARY_TO"; else node "$BENCH/summarize.mjs" --set postgres --results "$RESULTS"; fi
log "done in $(( $(date +%s) - T_START )) s; results in $RESULTS"
