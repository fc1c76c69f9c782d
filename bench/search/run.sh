#!/usr/bin/env bash
# The search benchmark: 100,000 events and 1,000,000 registrations on PostgreSQL, keyword +
# prefecture search (page, native API, connpass API v2 when present) and the v2 event list
# (count=100) under wrk, with baselines in the same invocation, and the query plans.
#
# usage: bench/search/run.sh [OUTDIR]      (default bench/out/search-YYYYmmdd-HHMMSS)
#
# Needs a local PostgreSQL on 127.0.0.1:5432 where user postgres has trust auth, and wrk
# (installed with apt-get when missing, as root). Recreates the database kaisai_bench_search.
#
# env: EVENTS (100000) REGISTRATIONS (1000000)   generated data
#      REUSE (0)            1: keep an existing kaisai_bench_search (skip generating)
#      EXTRA_INDEXES (0)    1: add a B-tree index on events_event (prefecture), proposed and
#                           not in the migrations (the (starts_at, id), (updated_at, id),
#                           (published_at, id) indexes are, events.0005); 0: make sure it is absent
#      NOINDEX (1)          0: skip the baseline without the trigram index (drop + rebuild)
#      DUR (15s) CONNS ("4 16")                 each wrk run; connections
#      WORKERS (3) THREADS (2) PORT (8412)      gunicorn (gthread)
#      SHARED_BENCH         the harness (default: ../shared/bench beside the checkout)
#      DB (kaisai_bench_search)                 the database
# Writes OUTDIR/summary.md (a table: p50/p99/req/s per run, client side (wrk) and server side
# (gunicorn's access log, %(D)s: the time from reading the request to writing the response),
# ratios to the baselines of the same invocation), OUTDIR/*.json (one wrk result each),
# OUTDIR/*.server.txt (the run's access-log lines), OUTDIR/plans.md (EXPLAIN ANALYZE) and
# OUTDIR/plans_without_trigram.md, OUTDIR/rss_{start,after}.json (the app workers' resident
# memory, bench/rss.py, right after start-up and after the keyword runs).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
shared="$(cd "${SHARED_BENCH:-$repo/../shared/bench}" && pwd)"
out="${1:-$repo/bench/out/search-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$out"; out="$(cd "$out" && pwd)"

EVENTS="${EVENTS:-100000}"; REGISTRATIONS="${REGISTRATIONS:-1000000}"; REUSE="${REUSE:-0}"
EXTRA_INDEXES="${EXTRA_INDEXES:-0}"; NOINDEX="${NOINDEX:-1}"
DUR="${DUR:-15s}"; CONNS="${CONNS:-4 16}"
WORKERS="${WORKERS:-3}"; THREADS="${THREADS:-2}"; PORT="${PORT:-8412}"
DB="${DB:-kaisai_bench_search}"
export PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
export SECRET_KEY="search-benchmark-only-$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
export KAISAI_DEBUG=0 KAISAI_LOG_LEVEL=WARNING ALLOWED_HOSTS=127.0.0.1 KAISAI_API_V2_RATE=off
py="$repo/.venv/bin/python"; kaisai="$repo/.venv/bin/kaisai"

work="$(mktemp -d -t kaisai-search.XXXXXX)"
export KAISAI_STATIC_ROOT="$work/static"
gunicorn_pid=""
cleanup() {
  set +e
  if [[ -n "$gunicorn_pid" ]]; then kill "$gunicorn_pid" 2>/dev/null; wait "$gunicorn_pid" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT
log() { printf '\n### %s  %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

command -v wrk >/dev/null || { log "apt-get install wrk"; apt-get install -y -q wrk >/dev/null ||
  { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }; }
psql -Atqc 'SELECT 1' postgres >/dev/null || { echo "PostgreSQL on 127.0.0.1:5432 is not reachable" >&2; exit 1; }

{
  echo "date: $(date -Is)"; echo "host: $(hostname)  cpus: $(nproc)  $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "postgres: $(psql -Atqc 'SHOW server_version' postgres)  wrk: $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
  echo "kaisai: $(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet HEAD -- src 2>/dev/null || echo '+dirty')  gunicorn: $WORKERS workers x $THREADS threads (gthread)"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$out/machine.txt"

# --- data -------------------------------------------------------------------------------------
if [[ "$REUSE" != 1 ]] || ! psql -Atqc "SELECT 1 FROM events_event LIMIT 1" "$DB" >/dev/null 2>&1; then
  log "database $DB: create, migrate, generate $EVENTS events and $REGISTRATIONS registrations"
  psql -qc "DROP DATABASE IF EXISTS $DB" postgres; psql -qc "CREATE DATABASE $DB" postgres
  "$kaisai" migrate --noinput >/dev/null
  /usr/bin/time -f "generate: %e s wall" "$py" "$here/generate.py" "$EVENTS" "$REGISTRATIONS" 2> >(tee "$out/generate.log" >&2)
else
  "$kaisai" migrate --noinput >/dev/null   # a reused database gets the migrations added since
fi
psql -Atqc "SELECT 'events ' || (SELECT count(*) FROM events_event) || ', registrations ' ||
  (SELECT count(*) FROM registrations_registration) || ', database ' ||
  pg_size_pretty(pg_database_size('$DB'))" "$DB" | tee -a "$out/machine.txt"
extra=("bench_event_prefecture ON events_event (prefecture)")
# The order indexes of events.0005 were first measured here as bench_event_*: drop leftovers.
for old in bench_event_starts_at bench_event_updated_at bench_event_published_at; do
  psql -qc "DROP INDEX IF EXISTS $old" "$DB"
done
for index in "${extra[@]}"; do
  if [[ "$EXTRA_INDEXES" == 1 ]]; then psql -qc "CREATE INDEX IF NOT EXISTS $index" "$DB"
  else psql -qc "DROP INDEX IF EXISTS ${index%% *}" "$DB"; fi
done
[[ "$EXTRA_INDEXES" == 1 ]] && psql -qc "ANALYZE events_event" "$DB"
echo "extra B-tree index on prefecture (proposed, not in the migrations): $([[ "$EXTRA_INDEXES" == 1 ]] && echo yes || echo no)" >> "$out/machine.txt"
"$kaisai" collectstatic --noinput >/dev/null
token="$("$kaisai" token create u1 --name bench | awk '{print $2}')"

"$py" "$here/plans.py" "$out/plans.md"

# --- gunicorn ---------------------------------------------------------------------------------
log "kaisai: gunicorn on 127.0.0.1:$PORT"
(cd "$work" && exec "$repo/.venv/bin/gunicorn" kaisai.wsgi:application --bind "127.0.0.1:$PORT" \
   --workers "$WORKERS" --worker-class gthread --threads "$THREADS" --timeout 60 \
   --no-control-socket --log-level warning --access-logfile "$out/access.log" \
   --access-logformat '%(s)s %(D)s %(U)s' > "$out/kaisai-gunicorn.log" 2>&1) &
gunicorn_pid=$!
base="http://127.0.0.1:$PORT"
for _ in $(seq 1 60); do curl -sf -o /dev/null "$base/api/v1/events/" && break; sleep 0.5; done
python3 "$repo/bench/rss.py" "$gunicorn_pid" start > "$out/rss_start.json"

ja="%E6%A9%9F%E6%A2%B0%E5%AD%A6%E7%BF%92"   # 機械学習
declare -A paths=(
  [page_ja_tokyo]="/events/search/?q=$ja&prefecture=tokyo"
  [page_en_osaka]="/events/search/?q=kubernetes&prefecture=osaka"
  [v1_ja_tokyo]="/api/v1/events/?keyword=$ja&prefecture=tokyo&limit=30"
  [base_page_tokyo]="/events/search/?prefecture=tokyo"
  [base_home]="/"
  [base_v2_empty]="/api/v2/events/?ym=203001&count=100"
)
order=(page_ja_tokyo page_en_osaka v1_ja_tokyo)
v2_status="$(curl -s -o /dev/null -w '%{http_code}' -H "X-API-Key: $token" "$base/api/v2/events/?count=1")"
if [[ "$v2_status" == 200 ]]; then
  paths[v2_ja_tokyo]="/api/v2/events/?keyword=$ja&prefecture=tokyo&count=100"
  paths[v2_list_100]="/api/v2/events/?count=100"
  order+=(v2_ja_tokyo v2_list_100)
else
  echo "api v2: /api/v2/events/ answered $v2_status, not measured" | tee -a "$out/machine.txt"
fi
order+=(base_page_tokyo base_home)
[[ "$v2_status" == 200 ]] && order+=(base_v2_empty)

run() {  # NAME CONNS
  local name="$1" c="$2" before
  "$shared/run_wrk.sh" -u "$base" -p "${paths[$name]}" -H "X-API-Key: $token" -k 200 \
    -c "$c" -d 3s -o /dev/null >/dev/null   # warm-up, not counted
  sleep 0.2; before="$(wc -l < "$out/access.log")"
  "$shared/run_wrk.sh" -u "$base" -p "${paths[$name]}" -H "X-API-Key: $token" -k 200 \
    -c "$c" -d "$DUR" -o "$out/${name}_c$c.json" >/dev/null
  sleep 0.2; tail -n "+$((before + 1))" "$out/access.log" > "$out/${name}_c$c.server.txt"
  printf '%s c%s: %s\n' "$name" "$c" "$(cat "$out/${name}_c$c.json")" >&2
}
for c in $CONNS; do for name in "${order[@]}"; do log "$name c$c"; run "$name" "$c"; done; done
python3 "$repo/bench/rss.py" "$gunicorn_pid" after > "$out/rss_after.json"

# --- baseline: the same keyword searches without the trigram indexes --------------------------
if [[ "$NOINDEX" == 1 ]]; then
log "baseline: drop the trigram index"
psql -qc "DROP INDEX IF EXISTS event_search_text_trgm" "$DB"
"$py" "$here/plans.py" "$out/plans_without_trigram.md"
paths[noindex_page_ja_tokyo]="${paths[page_ja_tokyo]}"
c1="${CONNS%% *}"; log "noindex_page_ja_tokyo c$c1"; run noindex_page_ja_tokyo "$c1"
log "rebuild the trigram index"
psql -qc "CREATE INDEX event_search_text_trgm ON events_event USING gin (search_text gin_trgm_ops)" "$DB"
fi

kill "$gunicorn_pid"; wait "$gunicorn_pid" 2>/dev/null || true; gunicorn_pid=""
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/machine.txt"
"$py" "$here/report.py" "$out" | tee "$out/summary.md"
