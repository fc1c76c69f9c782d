#!/usr/bin/env bash
# Every headline figure of issue 17 in one command, each with its baseline in the same
# invocation: the registration rush (vs pgbench, pretix), the event page (vs pretix's), search,
# the lottery draw, mail throughput (vs a plain smtplib loop) and the app worker's memory.
#
# usage: bench/run.sh [--parts rush,page,search,lottery,mail,memory] [--quick] [--out DIR]
#                     [--no-results]
#   --parts       a comma-separated subset (default: all, in the order above; memory reads the
#                 rush's and search's servers, so run it with them)
#   --quick       small sizes and 5 s runs: a smoke test of a few minutes, not the targets
#   --out         where the results go (default bench/out/<timestamp>/)
#   --no-results  do not touch bench/RESULTS.md (the report is still in OUT/report.md)
# env: DB_PREFIX (kaisai_bench), KEEP_DBS (0), SHARED_BENCH (../shared/bench beside the checkout)
# Also `make bench` (with BENCH_ARGS="--parts page --quick" for the options).
#
# Needs root on Debian (apt-get installs wrk, pgbench, redis-server when missing), a local
# PostgreSQL on 127.0.0.1:5432 where user postgres has trust auth, and network access to PyPI
# once (pretix's venv, kept in ~/.cache/kaisai-bench/). Creates the databases DB_PREFIX,
# DB_PREFIX_pgbench, _page, _search, _lottery, _mail (DB_PREFIX default kaisai_bench) and
# drops them at the end (KEEP_DBS=1 keeps them, e.g. to look at the data or for
# bench/search/run.sh's REUSE=1); pretix uses `pretix`. Every part writes OUT/PART/ and OUT/PART.json (figures, baselines,
# ratios, targets, load average before and after); then OUT/report.md and the block between
# `<!-- bench:run.sh begin -->` and `<!-- bench:run.sh end -->` in bench/RESULTS.md.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
all="rush,page,search,lottery,mail,memory"
parts="$all"; quick=0; out=""; results=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --parts) parts="$2"; shift 2 ;;
    --parts=*) parts="${1#*=}"; shift ;;
    --quick) quick=1; shift ;;
    --out) out="$2"; shift 2 ;;
    --out=*) out="${1#*=}"; shift ;;
    --no-results) results=0; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see bench/run.sh --help)" >&2; exit 2 ;;
  esac
done
for p in ${parts//,/ }; do
  [[ ",$all," == *",$p,"* ]] || { echo "unknown part $p (parts: $all)" >&2; exit 2; }
done
out="${out:-$repo/bench/out/$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$out"; out="$(cd "$out" && pwd)"
DB_PREFIX="${DB_PREFIX:-kaisai_bench}"
py="$repo/.venv/bin/python"
export PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres
log() { printf '\n##### %s  %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
quick_flag=(); [[ "$quick" == 1 ]] && quick_flag=(--quick)

# --- what it needs ------------------------------------------------------------------------------
[[ -x "$py" ]] || (cd "$repo" && make install-test >&2) || { echo "make install-test failed" >&2; exit 1; }
need_apt=()
command -v wrk >/dev/null || need_apt+=(wrk)
command -v pgbench >/dev/null || need_apt+=(postgresql-contrib)
command -v redis-server >/dev/null || need_apt+=(redis-server)
if [[ ${#need_apt[@]} -gt 0 ]]; then
  log "apt-get install ${need_apt[*]}"
  apt-get install -y -q "${need_apt[@]}" >/dev/null ||
    { apt-get update -q >/dev/null && apt-get install -y -q "${need_apt[@]}" >/dev/null; } ||
    { echo "could not install ${need_apt[*]}" >&2; exit 1; }
fi
psql -Atqc 'SELECT 1' postgres >/dev/null || { echo "PostgreSQL on 127.0.0.1:5432 (user postgres) is not reachable" >&2; exit 1; }
SHARED_BENCH="${SHARED_BENCH:-$repo/../shared/bench}"
[[ -x "$SHARED_BENCH/run_wrk.sh" && -x "$SHARED_BENCH/pretix/setup_pretix.sh" ]] ||
  { echo "the shared harness is not at $SHARED_BENCH (set SHARED_BENCH)" >&2; exit 1; }
export SHARED_BENCH="$(cd "$SHARED_BENCH" && pwd)"

# --- sizes --------------------------------------------------------------------------------------
if [[ "$quick" == 1 ]]; then
  DUR=5s; TOKENS=3000; SELLOUT=300; EVENTS=2000; REGISTRATIONS=20000; APPLICANTS=5000
  MESSAGE=1000; SETTLE_MAX=15; MAIL_ARGS=(--mails 300 --rounds 1)
else
  DUR=20s; TOKENS=20000; SELLOUT=1000; EVENTS=100000; REGISTRATIONS=1000000; APPLICANTS=100000
  MESSAGE=10000; SETTLE_MAX=120; MAIL_ARGS=()
fi
export SETTLE_MAX
started="$(date +%s)"; load_start="$(load)"
log "bench/run.sh: parts $parts$([[ $quick == 1 ]] && echo ' (quick)'), results in $out, load $load_start"

# --- the parts (each prints into OUT/PART/; its exit code is kept, the others still run) ---------
part_rush() {
  DB="$DB_PREFIX" PGB_DB="${DB_PREFIX}_pgbench" DUR="$DUR" CONNS="16 64" TOKENS="$TOKENS" \
    SELLOUT="$SELLOUT" "$here/rush/run.sh" "$out/rush"
}
part_page() {
  DB="${DB_PREFIX}_page" DUR="$DUR" CONNS="16 64" "$here/page/run.sh" "$out/page"
}
part_search() {
  local noindex=1; [[ "$quick" == 1 ]] && noindex=0
  DB="${DB_PREFIX}_search" EVENTS="$EVENTS" REGISTRATIONS="$REGISTRATIONS" DUR="$DUR" \
    CONNS="1 4" NOINDEX="$noindex" "$here/search/run.sh" "$out/search"
}
part_lottery() {
  if [[ ! -f "$here/lottery/__main__.py" && ! -f "$here/lottery/run.py" ]]; then
    echo "not available: bench/lottery is not in this checkout (hlot's branch not merged yet)"; return 3
  fi
  local db="${DB_PREFIX}_lottery"
  psql -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" postgres >/dev/null
  (cd "$repo" && "$py" -m bench.lottery --applicants "$APPLICANTS" \
    --database-url "postgres://postgres@127.0.0.1:5432/$db") | tee "$out/lottery/output.txt"
  local rc=$?
  psql -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" postgres >/dev/null
  return $rc
}
mail_ready() { grep -q smtplib_mails_per_s "$here/mail/run.py" 2>/dev/null; }
part_mail() {
  mail_ready || { echo "not available: bench/mail/run.py does not measure the smtplib baseline yet (hlot's branch not merged)"; return 3; }
  local db="${DB_PREFIX}_mail"
  psql -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" postgres >/dev/null
  (cd "$repo" && "$py" bench/mail/run.py "${MAIL_ARGS[@]}" \
    --database-url "postgres://postgres@127.0.0.1:5432/$db") |
    tee "$out/mail/output.txt"
  local rc=$?
  psql -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" postgres >/dev/null
  return $rc
}
part_memory() {  # the rush's and search's workers were read by those parts (rss_*.json)
  grep -q -- "--message" "$here/mail/run.py" 2>/dev/null ||
    { echo "the 10,000-mail message: not available (bench/mail/run.py has no --message yet)"; return 0; }
  local db="${DB_PREFIX}_mail"
  psql -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" postgres >/dev/null
  local only=(); grep -q -- "--no-baseline" "$here/mail/run.py" && only=(--no-baseline)
  (cd "$repo" && "$py" bench/mail/run.py --message "$MESSAGE" "${only[@]}" \
    --database-url "postgres://postgres@127.0.0.1:5432/$db") | tee "$out/memory/message.txt"
  local rc=$?
  psql -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" postgres >/dev/null
  return $rc
}

for p in ${all//,/ }; do
  [[ ",$parts," == *",$p,"* ]] || continue
  mkdir -p "$out/$p"
  before="$(load)"; t0="$(date +%s)"
  log "part $p (load $before)"
  "part_$p" > >(tee "$out/$p/stdout.txt") 2> >(tee "$out/$p/log.txt" >&2)
  rc=$?
  sleep 0.5   # let tee finish writing
  after="$(load)"; note=""
  first="$(head -n 1 "$out/$p/stdout.txt" 2>/dev/null)"
  if [[ "$rc" == 3 && "$first" == "not available"* ]]; then note="$first"; fi
  [[ "$p" == memory && "$(cat "$out/$p/stdout.txt")" == *"not available"* ]] &&
    note="$(grep -m1 'not available' "$out/$p/stdout.txt")"
  python3 "$here/collect.py" "$p" "$out" --rc "$rc" --seconds "$(( $(date +%s) - t0 ))" \
    --load-before "$before" --load-after "$after" --note "$note" "${quick_flag[@]}"
done

if [[ "${KEEP_DBS:-0}" != 1 ]]; then
  for db in "$DB_PREFIX" "${DB_PREFIX}_pgbench" "${DB_PREFIX}_page" "${DB_PREFIX}_search"; do
    psql -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" postgres >/dev/null 2>&1
  done
fi
python3 "$here/collect.py" machine "$out" --parts "$parts" --load-before "$load_start" \
  --load-after "$(load)" --seconds "$(( $(date +%s) - started ))" "${quick_flag[@]}"
report_args=("$out")
[[ "$results" == 1 ]] && report_args+=(--results "$here/RESULTS.md")
python3 "$here/report.py" "${report_args[@]}"
log "report: $out/report.md$([[ $results == 1 ]] && echo ', bench/RESULTS.md updated')"
