# What the bench scripts that start servers share; sourced by bench/rush/run.sh and
# bench/page/run.sh after they set: work (a temporary directory), shared (../shared/bench),
# PRETIX (0 skips pretix), PRETIX_VENV, and the pids they start (gunicorn_pid, redis_pid,
# pretix_started).

log() { printf '\n### %s  %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# Stop what the script started and remove its temporary directory (trap EXIT).
bench_cleanup() {
  set +e
  if [[ -n "$gunicorn_pid" ]]; then kill "$gunicorn_pid" 2>/dev/null; wait "$gunicorn_pid" 2>/dev/null; fi
  if [[ -n "$pretix_started" ]]; then
    PRETIX_VENV="$PRETIX_VENV" PRETIX_DATA="$work/pretix-data" "$shared/pretix/serve_pretix.sh" stop >/dev/null
  fi
  if [[ -n "$redis_pid" ]]; then kill "$redis_pid" 2>/dev/null; wait "$redis_pid" 2>/dev/null; fi
  rm -rf "$work"
}

# wrk (and redis-server for pretix) from Debian when missing; PostgreSQL must answer.
bench_prerequisites() {
  local need_apt=()
  command -v wrk >/dev/null || need_apt+=(wrk)
  [[ "$PRETIX" == 0 ]] || command -v redis-server >/dev/null || need_apt+=(redis-server)
  if [[ ${#need_apt[@]} -gt 0 ]]; then
    log "apt-get install ${need_apt[*]}"
    apt-get install -y -q "${need_apt[@]}" >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q "${need_apt[@]}" >/dev/null; }
  fi
  psql -Atqc 'SELECT 1' postgres >/dev/null || { echo "PostgreSQL on 127.0.0.1:5432 (user postgres) is not reachable" >&2; exit 1; }
}

# pretix in config B (Redis cache and sessions): set up through ../shared/bench/pretix, serve,
# and run its `run_suite.sh OUT SCENARIO` into $out (uses REDIS_PORT, DUR). Returns 1, after
# saying so in $out/machine.txt, when the set-up failed (e.g. someone else migrating the shared
# `pretix` database at the same moment): the caller goes on without pretix's figures.
bench_pretix() {
  local scenario=$1 status=0
  log "pretix: redis on 127.0.0.1:$REDIS_PORT, setup (venv $PRETIX_VENV)"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no > "$work/redis.log" 2>&1 &
  redis_pid=$!
  export PRETIX_VENV PRETIX_DATA="$work/pretix-data"
  mkdir -p "$(dirname "$PRETIX_VENV")"
  if REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0" "$shared/pretix/setup_pretix.sh" > "$work/pretix-setup.log" 2>&1; then
    pretix_started=1
    WORKERS=4 "$shared/pretix/serve_pretix.sh" start >&2
    TAG=pretix_B_ APP_RX="bin/gunicorn pretix|redis-server 127.0.0.1:$REDIS_PORT" DUR="$DUR" \
      "$shared/pretix/run_suite.sh" "$out" "$scenario" >&2
    "$shared/pretix/serve_pretix.sh" stop >&2; pretix_started=""
  else
    tail -20 "$work/pretix-setup.log" >&2
    echo "pretix: set-up failed, not measured" | tee -a "$out/machine.txt" >&2
    status=1
  fi
  kill "$redis_pid"; wait "$redis_pid" 2>/dev/null || true; redis_pid=""
  return "$status"
}
