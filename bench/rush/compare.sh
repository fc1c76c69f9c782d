#!/usr/bin/env bash
# Same-run A/B of the registration rush between two commits: kaisai at BASE (default: the
# merge base with origin's main, or HEAD~1) and kaisai at HEAD of this checkout, alternated
# ROUNDS times (A B A B …) so that both see the same machine, with bench/rush/run.sh of each
# commit (PRETIX=0, no pgbench; the pgbench/pretix baselines are run.sh's own business).
#
# usage: BASE=<commit> [ROUNDS=2] [CONNS="16 64"] [DUR=20s] bench/rush/compare.sh [OUTDIR]
# Prints, per run name, the accepted registrations/s and p99 of every round and the ratio
# HEAD/BASE of the medians (also in OUTDIR/compare.md).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
BASE="${BASE:?set BASE to the commit to compare with}"
ROUNDS="${ROUNDS:-2}"
out="${1:-$repo/bench/out/rush-compare-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$out"; out="$(cd "$out" && pwd)"
export CONNS="${CONNS:-16 64}" DUR="${DUR:-20s}" SELLOUT="${SELLOUT:-0}" PRETIX=0 PGBENCH=""
export TOKENS="${TOKENS:-20000}"

base_tree="${BASE_TREE:-${XDG_CACHE_HOME:-$HOME/.cache}/kaisai-bench/base-$(git -C "$repo" rev-parse --short "$BASE")}"
if [[ ! -x "$base_tree/.venv/bin/kaisai" ]]; then
  rm -rf "$base_tree"; mkdir -p "$(dirname "$base_tree")"
  git -C "$repo" worktree add --detach -f "$base_tree" "$BASE" >&2
  (cd "$base_tree" && make install >&2)
fi
[[ -x "$repo/.venv/bin/kaisai" ]] || (cd "$repo" && make install >&2)
echo "base $(git -C "$base_tree" rev-parse --short HEAD)  head $(git -C "$repo" rev-parse --short HEAD)" | tee "$out/compare.txt"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/compare.txt"
for round in $(seq 1 "$ROUNDS"); do
  for side in base head; do
    tree="$repo"; [[ "$side" == base ]] && tree="$base_tree"
    SHARED_BENCH="$repo/../shared/bench" "$tree/bench/rush/run.sh" "$out/$side-$round" > "$out/$side-$round.log" 2>&1 ||
      { tail -30 "$out/$side-$round.log" >&2; exit 1; }
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/compare.txt"
python3 - "$out" "$ROUNDS" <<'PY' | tee -a "$out/compare.md"
import glob, json, os, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
rows = {}
for side in ("base", "head"):
    for r in range(1, rounds + 1):
        for path in sorted(glob.glob(f"{out}/{side}-{r}/kaisai_*.json")):
            name = os.path.basename(path)[len("kaisai_"):-len(".json")]
            data = json.load(open(path))
            rows.setdefault(name, {}).setdefault(side, []).append(
                (data["wrk"]["ok_per_s"], data["wrk"]["latency_ms"]["p99"]))
print("| run | base registrations/s (p99 ms) | head registrations/s (p99 ms) | head/base (medians) |")
print("| --- | --- | --- | --- |")
for name, sides in sorted(rows.items()):
    fmt = lambda xs: ", ".join(f"{r:.0f} ({p:.0f})" for r, p in xs)
    b = statistics.median(r for r, _ in sides.get("base", [(0, 0)]))
    h = statistics.median(r for r, _ in sides.get("head", [(0, 0)]))
    print(f"| {name} | {fmt(sides.get('base', []))} | {fmt(sides.get('head', []))} | {h / b if b else float('nan'):.3f} |")
PY
