#!/usr/bin/env bash
# The registration-rush benchmark: kaisai's `register` operation under wrk, against pretix's
# order API and the pgbench limit of the database, all in one invocation and measured with
# the same harness (../shared/bench, beside the checkout).
#
# usage: bench/rush/run.sh [OUTDIR]        (default bench/out/rush-YYYYmmdd-HHMMSS)
#
# Needs root on Debian (apt-get installs wrk / redis-server when missing) and a local
# PostgreSQL on 127.0.0.1:5432 where user postgres has trust auth. Recreates the databases
# kaisai_bench and kaisai_bench_pgbench; pretix uses its own database `pretix`.
#
# env: DUR (20s)              length of every run
#      CONNS ("16 64")        wrk connections (and pgbench clients)
#      TOKENS (20000)         fresh users with a token per kaisai run (one per request)
#      SELLOUT (1000)         capacity of the sell-out run at c64 (0: skip it)
#      WORKERS (3) THREADS (4) kaisai's gunicorn (gthread); PORT (8411)
#      PROFILE (0)            1: after the measured runs, one more c16 run of kaisai under
#                             py-spy (--gil); summary in OUTDIR/kaisai_profile_top.txt
#      PRETIX (1)             0: skip pretix; PRETIX_VENV (cache, kept between runs)
#      PGBENCH ("counter counter_cte")   pgbench scripts (empty: skip)
#      SHARED_BENCH           the harness (default: ../shared/bench beside the checkout)
#      DB (kaisai_bench) PGB_DB (kaisai_bench_pgbench)   the databases (recreated)
# Also writes OUTDIR/rss_start.json and OUTDIR/rss_after.json: the app workers' resident memory
# (bench/rss.py) right after start-up and after the measured runs.
# Prints a table: accepted registrations/s, p50/p99 latency, errors and oversold per run,
# then the ratios kaisai/pretix and kaisai/pgbench (also in OUTDIR/summary.md).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
shared="$(cd "${SHARED_BENCH:-$repo/../shared/bench}" && pwd)"
out="${1:-$repo/bench/out/rush-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$out"; out="$(cd "$out" && pwd)"

DUR="${DUR:-20s}"; CONNS="${CONNS:-16 64}"; TOKENS="${TOKENS:-20000}"; SELLOUT="${SELLOUT:-1000}"
WORKERS="${WORKERS:-3}"; THREADS="${THREADS:-4}"; PORT="${PORT:-8411}"; PROFILE="${PROFILE:-0}"
PRETIX="${PRETIX:-1}"; PGBENCH="${PGBENCH-counter counter_cte}"
PRETIX_VENV="${PRETIX_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/kaisai-bench/pretix-venv}"
REDIS_PORT="${REDIS_PORT:-6391}"
DB="${DB:-kaisai_bench}"; PGB_DB="${PGB_DB:-kaisai_bench_pgbench}"
export PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
export SECRET_KEY="rush-benchmark-only-$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
export KAISAI_DEBUG=0 KAISAI_LOG_LEVEL=WARNING ALLOWED_HOSTS=127.0.0.1
py="$repo/.venv/bin/python"

work="$(mktemp -d -t kaisai-rush.XXXXXX)"
export KAISAI_STATIC_ROOT="$work/static"; mkdir -p "$KAISAI_STATIC_ROOT"
gunicorn_pid="" redis_pid="" pretix_started=""
# shellcheck source=../lib.sh
source "$repo/bench/lib.sh"
trap bench_cleanup EXIT

# --- prerequisites --------------------------------------------------------------------------
bench_prerequisites

# The shared harness, unchanged, except that wrk/request.lua is our wrapper (a fresh token per
# request); run_wrk.sh and measure.sh find their siblings through the directory they run from.
harness="$work/harness"; mkdir -p "$harness/wrk"
for f in run_wrk.sh measure.sh cpu_snapshot.py pg_snapshot.sh summarize.py; do ln -s "$shared/$f" "$harness/$f"; done
ln -s "$here/request_tokens.lua" "$harness/wrk/request.lua"
export RUSH_BASE_LUA="$shared/wrk/request.lua" RUSH_THREADS=2

{
  echo "date: $(date -Is)"; echo "host: $(hostname)  cpus: $(nproc)  $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "kernel: $(uname -r)  memory: $(free -g | awk '/Mem:/{print $2}') GiB"
  echo "postgres: $(psql -Atqc 'SHOW server_version' postgres)  wrk: $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
  echo "kaisai: $(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet HEAD -- src 2>/dev/null || echo '+dirty')  gunicorn: $WORKERS workers x $THREADS threads (gthread)"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "command: DUR=$DUR CONNS='$CONNS' TOKENS=$TOKENS SELLOUT=$SELLOUT WORKERS=$WORKERS THREADS=$THREADS bench/rush/run.sh"
} | tee "$out/machine.txt" >&2

# --- kaisai: database, objects, tokens ---------------------------------------------------------
log "kaisai: fresh database $DB"
psql -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" postgres >/dev/null
"$repo/.venv/bin/kaisai" migrate --noinput >/dev/null
event="$("$py" "$here/setup_rush.py" event)"
declare -A frame tokens
runs=()
for c in $CONNS; do runs+=("unl_c$c"); done
[[ "$SELLOUT" -gt 0 ]] && runs+=("q${SELLOUT}_c64_sellout")
[[ "$PROFILE" != 0 ]] && runs+=(profile)
runs+=(warmup)
for r in "${runs[@]}"; do
  cap=100000000; [[ "$r" == *sellout ]] && cap="$SELLOUT"
  frame[$r]="$("$py" "$here/setup_rush.py" frame "$event" "$cap" "$r")"
  n="$TOKENS"; [[ "$r" == warmup ]] && n=2000
  log "kaisai: $n users with tokens for $r (frame ${frame[$r]}, capacity $cap)"
  tokens[$r]="$work/tokens_$r.txt"
  "$py" "$here/setup_rush.py" tokens "${r//_/}u" "$n" "${tokens[$r]}"
done
psql -qc "VACUUM ANALYZE" "$DB" >/dev/null

# --- kaisai: gunicorn and the runs -------------------------------------------------------------
log "kaisai: gunicorn on 127.0.0.1:$PORT"
(cd "$work" && exec "$repo/.venv/bin/gunicorn" kaisai.wsgi:application --bind "127.0.0.1:$PORT" \
   --workers "$WORKERS" --worker-class gthread --threads "$THREADS" --timeout 60 \
   --no-control-socket --log-level warning > "$out/kaisai-gunicorn.log" 2>&1) &
gunicorn_pid=$!
for _ in $(seq 1 60); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/api/v1/events/" && break; sleep 0.5; done
python3 "$repo/bench/rss.py" "$gunicorn_pid" start > "$out/rss_start.json"
base="http://127.0.0.1:$PORT"; api=/api/v1/registrations/
RUSH_TOKENS="${tokens[warmup]}" "$harness/run_wrk.sh" -u "$base" -p "$api" \
  -b "{\"frame_id\": ${frame[warmup]}}" -k 201 -c 16 -d 3s > "$work/warmup.log" 2>&1 ||
  { cat "$work/warmup.log" "$out/kaisai-gunicorn.log" >&2; exit 1; }   # every thread connects, code loads

check() {  # frame id -> JSON: accepted vs capacity, counter vs facts, audit and outbox rows
  echo "psql -Atq -d $DB -c \"SELECT json_build_object('frame', f.id, 'size', f.capacity,
    'sold', (SELECT count(*) FROM registrations_registration r WHERE r.frame_id = f.id AND r.status = 'accepted'),
    'waitlisted', (SELECT count(*) FROM registrations_registration r WHERE r.frame_id = f.id AND r.status = 'waitlisted'),
    'counter', f.accepted_count,
    'oversold', greatest((SELECT count(*) FROM registrations_registration r WHERE r.frame_id = f.id AND r.status = 'accepted') - f.capacity, 0),
    'counter_ok', f.accepted_count = (SELECT count(*) FROM registrations_registration r WHERE r.frame_id = f.id AND r.status = 'accepted'),
    'audit', (SELECT count(*) FROM registrations_registrationlog l WHERE l.frame_id = f.id),
    'outbox', (SELECT count(*) FROM core_outboxmail m JOIN registrations_registration r
               ON r.id = split_part(m.key, '-', 2)::bigint WHERE m.key LIKE 'registration-%' AND r.frame_id = f.id))
    FROM registrations_frame f WHERE f.id = $1\""
}
kaisai_run() {  # name conns
  local r="$1" c="$2"
  log "kaisai: $r"
  RUSH_TOKENS="${tokens[$r]}" APP_RX='bin/gunicorn kaisai' PG_DB="$DB" CHECK_CMD="$(check "${frame[$r]}")" \
    "$harness/measure.sh" "$out" "kaisai_$r" -u "$base" -p "$api" -b "{\"frame_id\": ${frame[$r]}}" \
    -k 201 -c "$c" -d "$DUR" -r "$r"
}
for c in $CONNS; do kaisai_run "unl_c$c" "$c"; done
[[ "$SELLOUT" -gt 0 ]] && kaisai_run "q${SELLOUT}_c64_sellout" 64
if [[ "$PROFILE" != 0 ]]; then
  log "kaisai: profile (py-spy --gil, c16, 15 s of a 20 s run)"
  spy="$repo/.venv/bin/py-spy"
  [[ -x "$spy" ]] || "$repo/.venv/bin/pip" install -q py-spy >&2
  RUSH_TOKENS="${tokens[profile]}" "$harness/run_wrk.sh" -u "$base" -p "$api" \
    -b "{\"frame_id\": ${frame[profile]}}" -k 201 -c 16 -d 20s > "$out/kaisai_profile.wrk.txt" 2>&1 &
  wrk_pid=$!
  sleep 3
  "$spy" record --pid "$gunicorn_pid" --subprocesses --gil --rate 100 --duration 15 --nonblocking \
    --format raw --output "$out/kaisai_profile.txt" >&2 || true
  wait "$wrk_pid" || true
  python3 "$shared/profile_top.py" "$out/kaisai_profile.txt" 30 \
    --match 'user_for_api_token' --match 'frame_with_event' --match 'register_first_come' \
    --match 'sync_view_wrapper' --match 'gunicorn' > "$out/kaisai_profile_top.txt" || true
fi
python3 "$repo/bench/rss.py" "$gunicorn_pid" after > "$out/rss_after.json"
kill "$gunicorn_pid"; wait "$gunicorn_pid" 2>/dev/null || true; gunicorn_pid=""

# --- pgbench: the database limit ---------------------------------------------------------------
if [[ -n "$PGBENCH" ]]; then
  psql -Atqc "SELECT 1 FROM pg_database WHERE datname = '$PGB_DB'" postgres | grep -q 1 ||
    psql -qc "CREATE DATABASE $PGB_DB" postgres
  for s in $PGBENCH; do
    for c in $CONNS; do
      log "pgbench: $s c$c"
      # run_pgbench.sh reads PGBENCH as the pgbench binary: not our list of scripts
      env -u PGBENCH PGDATABASE="$PGB_DB" "$shared/pgbench/run_pgbench.sh" "$s" "$c" "${DUR%s}" \
        > "$out/pgbench_${s}_c$c.pgbench.json"
    done
  done
fi

# --- pretix (config B: Redis cache + sessions) -------------------------------------------------
if [[ "$PRETIX" != 0 ]]; then
  bench_pretix unlimited || true
fi

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/machine.txt" >&2
log "results in $out"
python3 "$shared/summarize.py" "$out" > "$out/harness-summary.md"
python3 "$here/report.py" "$out" | tee "$out/summary.md"
