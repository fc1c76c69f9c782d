#!/usr/bin/env bash
# The full-rooms simulation (issue 12): four acceptance policies on the same populations.
#   bench/fullrooms/run.sh                      # SQLite in a temporary directory
#   PG=postgres://postgres@127.0.0.1:5432 bench/fullrooms/run.sh   # PostgreSQL: creates and
#                                               # drops the database kaisai_bench_fullrooms
# Extra arguments go to `python -m bench.fullrooms` (--seats, --events, --seed, --shapes, ...).
set -euo pipefail
cd "$(dirname "$0")/../.."
make -s install-test >/dev/null
out="bench/out/fullrooms-$(date -u +%Y%m%dT%H%M%SZ)"
args=(--out "$out")
if [ -n "${PG:-}" ]; then args+=(--postgres "$PG"); fi
.venv/bin/python -m bench.fullrooms "${args[@]}" "$@"
echo "written: $out/results.md, $out/events.json" >&2
