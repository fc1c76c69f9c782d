#!/usr/bin/env bash
# The city benchmark: generate the city into PostgreSQL, then three simultaneous registration
# rushes and the event page through nginx, two app servers and PgBouncer (bench/city/README.md).
#
# usage: bench/city/run.sh [OUTDIR]          (default bench/out/city-YYYYmmdd-HHMMSS)
# env: SCALE (1)  1 = 1,000 groups, 100,000 people, 10,000 events, 1,000,000 registrations
#      CAPACITY (200) PEOPLE_PER_RUSH (3000) CONNS (32) DUR (20s)   the rushes
#      GENERATE (1)   0: keep the city already in the database
#      DATABASE_URL   default postgres://postgres@127.0.0.1:5432/kaisai_bench_city (recreated)
#      SHARED_BENCH   the wrk harness (default ../shared/bench beside the checkout)
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust), Redis on 127.0.0.1:6379 (db 13 is
# flushed), Debian's nginx, pgbouncer, openssl and wrk.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/kaisai_bench_city}"
export KAISAI_DEBUG=0 KAISAI_LOG_LEVEL=WARNING
command -v wrk >/dev/null || apt-get install -y -q wrk >/dev/null
py="$repo/.venv/bin/python"
out="${1:-$repo/bench/out/city-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$out"
if [[ "${GENERATE:-1}" != 0 ]]; then
  "$py" -m bench.city generate --scale "${SCALE:-1}" | tee "$out/generate.txt"
fi
"$py" -m bench.city rush --capacity "${CAPACITY:-200}" --people-per-rush "${PEOPLE_PER_RUSH:-3000}" \
  --connections "${CONNS:-32}" --duration "${DUR:-20s}" --out "$out"
