#!/usr/bin/env bash
# The event page benchmark: the demo's /events/N/ (default 5) served by kaisai (gunicorn,
# PostgreSQL) to anonymous and logged-in visitors, against pretix's public event page
# (../shared/bench/pretix, config B: Redis cache + sessions) in the same invocation, with the
# same harness (../shared/bench/measure.sh), plus the page's SQL query count.
#
# usage: bench/page/run.sh [OUTDIR]        (default bench/out/page-YYYYmmdd-HHMMSS)
#
# Needs root on Debian (apt-get installs wrk / redis-server when missing) and a local
# PostgreSQL on 127.0.0.1:5432 where user postgres has trust auth. Recreates the database
# $DB (kaisai_bench_page) with `kaisai demo`; pretix uses its own database `pretix`.
#
# env: DUR (20s) CONNS ("16 64")            each wrk run; connections
#      EVENT (5)                            the demo event whose page is measured
#      WORKERS (3) THREADS (4) PORT (8413)  kaisai's gunicorn (gthread), as bench/rush
#      PRETIX (1)                           0: skip pretix; PRETIX_VENV (cache, kept)
#      DB (kaisai_bench_page) REDIS_PORT (6392) SHARED_BENCH
# Writes OUTDIR/kaisai_page_{anon,user}_cN.json and OUTDIR/pretix_B_page_cN.json (measure.sh
# results), OUTDIR/queries.json, OUTDIR/event.json, OUTDIR/machine.txt, OUTDIR/rss_*.json.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
shared="$(cd "${SHARED_BENCH:-$repo/../shared/bench}" && pwd)"
out="${1:-$repo/bench/out/page-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$out"; out="$(cd "$out" && pwd)"

DUR="${DUR:-20s}"; CONNS="${CONNS:-16 64}"; EVENT="${EVENT:-5}"
WORKERS="${WORKERS:-3}"; THREADS="${THREADS:-4}"; PORT="${PORT:-8413}"; PRETIX="${PRETIX:-1}"
PRETIX_VENV="${PRETIX_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/kaisai-bench/pretix-venv}"
REDIS_PORT="${REDIS_PORT:-6392}"; DB="${DB:-kaisai_bench_page}"
export PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
export SECRET_KEY="page-benchmark-only-$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
export KAISAI_DEBUG=0 KAISAI_LOG_LEVEL=WARNING ALLOWED_HOSTS=127.0.0.1
py="$repo/.venv/bin/python"; kaisai="$repo/.venv/bin/kaisai"

work="$(mktemp -d -t kaisai-page.XXXXXX)"
export KAISAI_STATIC_ROOT="$work/static"
gunicorn_pid="" redis_pid="" pretix_started="" pretix_failed=0
# shellcheck source=../lib.sh
source "$repo/bench/lib.sh"
trap bench_cleanup EXIT

bench_prerequisites

{
  echo "date: $(date -Is)"; echo "host: $(hostname)  cpus: $(nproc)  $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "postgres: $(psql -Atqc 'SHOW server_version' postgres)  wrk: $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
  echo "kaisai: $(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet HEAD -- src 2>/dev/null || echo '+dirty')  gunicorn: $WORKERS workers x $THREADS threads (gthread)"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "command: DUR=$DUR CONNS='$CONNS' EVENT=$EVENT WORKERS=$WORKERS THREADS=$THREADS bench/page/run.sh"
} | tee "$out/machine.txt" >&2

# --- kaisai: the demo in a fresh database ------------------------------------------------------
log "kaisai: fresh database $DB, kaisai demo"
psql -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" postgres >/dev/null
"$kaisai" migrate --noinput >/dev/null
"$kaisai" demo > "$work/demo.log"
"$kaisai" collectstatic --noinput >/dev/null
psql -qc "VACUUM ANALYZE" "$DB" >/dev/null
"$py" "$here/setup_page.py" info "$EVENT" | tee "$out/event.json" >&2
"$py" "$here/setup_page.py" queries "$EVENT" | tee "$out/queries.json" >&2
cookie="$("$py" "$here/setup_page.py" cookie "$EVENT")"

log "kaisai: gunicorn on 127.0.0.1:$PORT"
(cd "$work" && exec "$repo/.venv/bin/gunicorn" kaisai.wsgi:application --bind "127.0.0.1:$PORT" \
   --workers "$WORKERS" --worker-class gthread --threads "$THREADS" --timeout 60 \
   --no-control-socket --log-level warning > "$out/kaisai-gunicorn.log" 2>&1) &
gunicorn_pid=$!
base="http://127.0.0.1:$PORT"; page="/events/$EVENT/"
for _ in $(seq 1 60); do curl -sf -o /dev/null "$base$page" && break; sleep 0.5; done
python3 "$repo/bench/rss.py" "$gunicorn_pid" start > "$out/rss_start.json"
status="$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$base$page")"
[[ "$status" == 200 ]] || { echo "logged-in $page answered $status" >&2; exit 1; }
"$shared/run_wrk.sh" -u "$base" -p "$page" -k 200 -c 16 -d 3s -o /dev/null >/dev/null   # warm-up

for c in $CONNS; do
  log "kaisai: page anonymous c$c"
  APP_RX='bin/gunicorn kaisai' PG_DB="$DB" "$shared/measure.sh" "$out" "kaisai_page_anon_c$c" \
    -u "$base" -p "$page" -k 200 -c "$c" -d "$DUR" >&2
  log "kaisai: page logged in c$c"
  APP_RX='bin/gunicorn kaisai' PG_DB="$DB" "$shared/measure.sh" "$out" "kaisai_page_user_c$c" \
    -u "$base" -p "$page" -H "Cookie: $cookie" -k 200 -c "$c" -d "$DUR" >&2
done
python3 "$repo/bench/rss.py" "$gunicorn_pid" after > "$out/rss_after.json"
kill "$gunicorn_pid"; wait "$gunicorn_pid" 2>/dev/null || true; gunicorn_pid=""

# --- pretix (config B: Redis cache + sessions), its public event page --------------------------
if [[ "$PRETIX" != 0 ]]; then
  bench_pretix page || pretix_failed=1
fi

psql -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" postgres >/dev/null || true
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/machine.txt" >&2
log "results in $out"
[[ "$pretix_failed" == 0 ]] || exit 1
