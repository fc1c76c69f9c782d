"""CPU per anonymous cache hit of the event page, in process (no HTTP server, no load
generator): N requests of GET /events/EVENT/ through Django's WSGIHandler (every middleware,
as under gunicorn) from a visitor with no cookie — the early path's hit
(site/event_page_early.py) — with the app's CPU and the database backend's CPU per request.

    profile_anon.py time [-n N] [-r R] [-e EVENT]  # JSON: app CPU, wall and database CPU,
                                               # ms/request (min and median of R rounds)
    profile_anon.py profile [-n N] [-e EVENT]  # cProfile of N hits, the top functions

The database's CPU is the backend process's user + system time (/proc/PID/stat, clock ticks)
across the N requests: PostgreSQL on this machine. Set up the database with
`profile_user.py setup` (DATABASE_URL, KAISAI_STATIC_ROOT); PYTHONPATH=<an older
checkout>/src times older code.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import time
from pathlib import Path

from wsgi_get import get  # this folder (the script's own)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaisai.settings")
os.environ.setdefault("SECRET_KEY", "profile-anon-benchmark-only-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
os.environ.setdefault("KAISAI_DEBUG", "0")
os.environ.setdefault("KAISAI_LOG_LEVEL", "WARNING")

TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def requester(path: str):
    from django.core.handlers.wsgi import WSGIHandler

    handler = WSGIHandler()

    def one() -> None:
        get(handler, path, HTTP_ACCEPT_LANGUAGE="ja,en;q=0.8")

    for _ in range(50):  # warm: the cache, the prepared statement
        one()
    return one


def backend_ticks() -> int:
    """The database backend's CPU so far (clock ticks), 0 when it is not on this machine."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime, stime


def time_hits(one, count: int) -> dict[str, float]:
    ticks = backend_ticks()
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(count):
        one()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    ticks = backend_ticks() - ticks
    return {
        "cpu_ms": round(cpu / count * 1000, 3),
        "wall_ms": round(wall / count * 1000, 3),
        "db_cpu_ms": round(ticks * TICK_MS / count, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=("time", "profile"))
    parser.add_argument("-n", type=int, default=2000)
    parser.add_argument("-e", "--event", type=int, default=5)
    parser.add_argument("-r", "--rounds", type=int, default=5, help="timed rounds of N")
    args = parser.parse_args()
    import django

    django.setup()
    import kaisai

    load_before = os.getloadavg()
    one = requester(f"/events/{args.event}/")
    if args.command == "profile":
        profile = cProfile.Profile(time.process_time)  # CPU, not waiting
        profile.runcall(lambda: [one() for _ in range(args.n)])
        pstats.Stats(profile).sort_stats(os.environ.get("SORT", "tottime")).print_stats(
            int(os.environ.get("TOP", "35"))
        )
        return
    result = {"code": str(Path(kaisai.__file__).parent), "requests": args.n}
    rounds = [time_hits(one, args.n) for _ in range(args.rounds)]
    for figure in ("cpu_ms", "wall_ms", "db_cpu_ms"):  # the least disturbed round, the median
        values = sorted(round_[figure] for round_ in rounds)
        result[figure] = {"min": values[0], "median": values[len(values) // 2]}
    result["load_before"] = [round(x, 2) for x in load_before]
    result["load_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
