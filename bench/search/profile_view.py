"""Server-side time of one URL, in-process (no HTTP, no load generator): the Django test
Client against the benchmark database, production-like settings (KAISAI_DEBUG off).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kaisai_bench_search SECRET_KEY=bench \\
      .venv/bin/python bench/search/profile_view.py [--profile] [-n 30] PATH [PATH ...]

Prints, per PATH, the wall time of N requests (after 3 warm-up requests): p50, p90, p99, max
in ms, the status and the number of SQL queries of the last one, and the median CPU time of
the thread (`time.thread_time`: the app's own Python work, not PostgreSQL's; much less
inflated by other processes than the wall time), and on a local PostgreSQL the CPU time of the
connection's backend per request (/proc/PID/stat: the database's share of the work). With
--profile, the cProfile of N more requests (top 30 by cumulative time; SORT=tottime, TOP=N,
TIMER=cpu for this thread's CPU time instead of the wall clock). The load of a shared
machine inflates every figure alike, so compare paths of one invocation (the last PATH can
serve as the baseline); the minimum CPU time is the least disturbed by other processes.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaisai.settings")
os.environ.setdefault("KAISAI_DEBUG", "0")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
os.environ.setdefault("KAISAI_API_V2_RATE", "off")
os.environ.setdefault("KAISAI_LOG_LEVEL", "WARNING")
if "KAISAI_STATIC_ROOT" not in os.environ:  # HTML pages need the static files' manifest
    os.environ["KAISAI_STATIC_ROOT"] = tempfile.mkdtemp(prefix="kaisai-profile-static.")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from kaisai.accounts.models import User  # noqa: E402
from kaisai.accounts.services import create_api_token  # noqa: E402


def api_key() -> str:
    user = User.objects.order_by("id").first()
    assert user is not None, "the benchmark database has no users"
    _token, key = create_api_token(user=user, name="profile_view")
    return key


def backend_cpu_seconds() -> float | None:
    """CPU time (user + system) so far of this connection's PostgreSQL backend, from
    /proc/PID/stat (a local server readable by this user), else None."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="+")
    parser.add_argument("-n", type=int, default=30)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    call_command("collectstatic", interactive=False, verbosity=0)
    client = Client(SERVER_NAME="127.0.0.1", HTTP_X_API_KEY=api_key())
    for path in args.paths:
        for _ in range(3):
            client.get(path)
        times, cpu = [], []
        db_before = backend_cpu_seconds()
        for _ in range(args.n):
            started, started_cpu = time.perf_counter(), time.thread_time()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.thread_time() - started_cpu) * 1000)
        db_after = backend_cpu_seconds()
        db = (
            f"; PostgreSQL backend CPU ms/request {(db_after - db_before) * 1000 / args.n:.1f}"
            if db_before is not None and db_after is not None
            else ""
        )
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        print(
            f"{path}\n  status {response.status_code}, {len(response.content)} bytes, "
            f"{len(queries)} queries; ms p50 {statistics.median(times):.1f} "
            f"p90 {percentile(times, 0.9):.1f} p99 {percentile(times, 0.99):.1f} "
            f"max {max(times):.1f}; this thread's CPU ms p50 {statistics.median(cpu):.1f} "
            f"min {min(cpu):.1f}{db}",
            flush=True,
        )
        if args.profile:
            # TIMER=cpu: the thread's CPU time (a wall-clock profile of a niced process also
            # counts the time PostgreSQL's backend runs while this thread waits to be scheduled)
            timer = time.thread_time if os.environ.get("TIMER") == "cpu" else time.perf_counter
            profile = cProfile.Profile(timer)
            profile.enable()
            for _ in range(args.n):
                client.get(path)
            profile.disable()
            pstats.Stats(profile, stream=sys.stdout).sort_stats(
                os.environ.get("SORT", "cumulative")
            ).print_stats(int(os.environ.get("TOP", "30")))


if __name__ == "__main__":
    main()
