#!/usr/bin/env bash
# Two versions of the code side by side on one search database, their wrk runs interleaved
# (A, B, then B, A, ...) so that both see the same minute of a shared machine's load.
#
# usage: SRC_A=DIR SRC_B=DIR bench/search/ab.sh OUTDIR
#   SRC_A, SRC_B   each a `src/` directory put first on PYTHONPATH (e.g. `git archive C src`)
# env: DB (kaisai_bench_search, as run.sh leaves it: generated and migrated by the newer code)
#      PORT (8412: A on PORT, B on PORT+1)  ROUNDS (3)  DUR (8s)  CONNS ("1 4")
#      WORKERS (3) THREADS (2)              as run.sh
# Prints, per URL and connections, each round's server-side p50/p99 (gunicorn's %(D)s) of A
# and B and B's p99 as a share of A's; the JSON of each wrk run and the access logs stay in
# OUTDIR. Load average before and after each round.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
shared="$(cd "${SHARED_BENCH:-$repo/../shared/bench}" && pwd)"
out="$1"; mkdir -p "$out"; out="$(cd "$out" && pwd)"
DB="${DB:-kaisai_bench_search}"; PORT="${PORT:-8412}"; ROUNDS="${ROUNDS:-3}"; DUR="${DUR:-8s}"
CONNS="${CONNS:-1 4}"; WORKERS="${WORKERS:-3}"; THREADS="${THREADS:-2}"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
export SECRET_KEY="search-benchmark-only-$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
export KAISAI_DEBUG=0 KAISAI_LOG_LEVEL=WARNING ALLOWED_HOSTS=127.0.0.1 KAISAI_API_V2_RATE=off
work="$(mktemp -d -t kaisai-search-ab.XXXXXX)"
export KAISAI_STATIC_ROOT="$work/static"
pids=()
cleanup() { set +e; for pid in "${pids[@]}"; do kill "$pid"; wait "$pid"; done; rm -rf "$work"; }
trap cleanup EXIT

PYTHONPATH="$SRC_B" "$repo/.venv/bin/kaisai" collectstatic --noinput >/dev/null
token="$(PYTHONPATH="$SRC_B" "$repo/.venv/bin/kaisai" token create u1 --name bench-ab | awk '{print $2}')"
declare -A port=([A]="$PORT" [B]="$((PORT + 1))") src=([A]="$SRC_A" [B]="$SRC_B")
for side in A B; do
  (cd "$work" && PYTHONPATH="${src[$side]}" exec "$repo/.venv/bin/gunicorn" kaisai.wsgi:application \
     --bind "127.0.0.1:${port[$side]}" --workers "$WORKERS" --worker-class gthread \
     --threads "$THREADS" --timeout 60 --no-control-socket --log-level warning \
     --access-logfile "$out/access_$side.log" --access-logformat '%(s)s %(D)s %(U)s' \
     > "$out/gunicorn_$side.log" 2>&1) &
  pids+=($!)
done
for side in A B; do
  for _ in $(seq 1 60); do curl -sf -o /dev/null "http://127.0.0.1:${port[$side]}/" && break; sleep 0.5; done
done
ja="%E6%A9%9F%E6%A2%B0%E5%AD%A6%E7%BF%92"   # 機械学習
declare -A paths=(
  [v2_ja_tokyo]="/api/v2/events/?keyword=$ja&prefecture=tokyo&count=100"
  [v2_en_osaka]="/api/v2/events/?keyword=kubernetes&prefecture=osaka&count=100"
  [page_ja_tokyo]="/events/search/?q=$ja&prefecture=tokyo"
  [page_en_osaka]="/events/search/?q=kubernetes&prefecture=osaka"
  [base_v2_empty]="/api/v2/events/?ym=203001&count=100"
)
order=(v2_ja_tokyo v2_en_osaka page_ja_tokyo page_en_osaka base_v2_empty)
run() {  # SIDE NAME CONNS ROUND
  local side="$1" name="$2" c="$3" r="$4" log="$out/access_$1.log" before
  local base="http://127.0.0.1:${port[$side]}"
  "$shared/run_wrk.sh" -u "$base" -p "${paths[$name]}" -H "X-API-Key: $token" -k 200 -c "$c" \
    -d 2s -o /dev/null >/dev/null
  sleep 0.2; before="$(wc -l < "$log")"
  "$shared/run_wrk.sh" -u "$base" -p "${paths[$name]}" -H "X-API-Key: $token" -k 200 -c "$c" \
    -d "$DUR" -o "$out/${name}_c${c}_r${r}_$side.json" >/dev/null
  sleep 0.2; tail -n "+$((before + 1))" "$log" > "$out/${name}_c${c}_r${r}_$side.server.txt"
}
for r in $(seq 1 "$ROUNDS"); do
  echo "round $r load before: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/load.txt"
  sides=(A B); (( r % 2 == 0 )) && sides=(B A)
  for c in $CONNS; do for name in "${order[@]}"; do for side in "${sides[@]}"; do
    run "$side" "$name" "$c" "$r"
  done; done; done
  echo "round $r load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/load.txt"
done
python3 - "$out" <<'PY'
import sys
from pathlib import Path
out = Path(sys.argv[1])
def ms(path):
    times = sorted(int(l.split()[1]) / 1000 for l in path.read_text().splitlines() if l.startswith("200 "))
    pick = lambda q: times[min(len(times) - 1, round(q * (len(times) - 1)))] if times else 0.0
    return pick(0.5), pick(0.99), len(times)
print((out / "load.txt").read_text())
print("| run | conns | round | A p50 / p99 ms (n) | B p50 / p99 ms (n) | B p99 ÷ A p99 |")
print("|---|---|---|---|---|---|")
names = sorted({p.name.split("_c")[0] for p in out.glob("*.server.txt")})
for name in names:
    for c in sorted({p.name.split("_c")[1].split("_")[0] for p in out.glob(f"{name}_c*.server.txt")}):
        for path in sorted(out.glob(f"{name}_c{c}_r*_A.server.txt")):
            r = path.name.split("_r")[1].split("_")[0]
            a, b = ms(path), ms(out / path.name.replace("_A.", "_B."))
            print(f"| {name} | {c} | {r} | {a[0]:.1f} / {a[1]:.1f} ({a[2]}) | {b[0]:.1f} / {b[1]:.1f} ({b[2]}) | {b[1] / a[1]:.2f} |")
PY
