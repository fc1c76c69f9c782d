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
