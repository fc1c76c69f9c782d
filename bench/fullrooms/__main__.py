"""Run the full-rooms simulation and print (or write) its figures.

    .venv/bin/python -m bench.fullrooms [--seats 30] [--events 12] [--seed 1]
        [--shapes beta22,bimodal,ushape_low,high] [--policies seats,fixed13,forecast,full]
        [--postgres URL_OF_THE_SERVER] [--out bench/fullrooms/out]

The database is a fresh SQLite file in a temporary directory, or with --postgres the database
`kaisai_bench_fullrooms` on that server (created, migrated, and dropped at the end)."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

PG_NAME = "kaisai_bench_fullrooms"


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def _pg(server: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{server.rstrip('/')}/postgres", autocommit=True) as connection:
        connection.execute(sql)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seats", type=int, default=30)
    parser.add_argument("--events", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--demand", type=float, default=2.0,
                        help="applicants per event as a multiple of the seats")  # fmt: skip
    parser.add_argument("--risk", type=float, default=0.05,
                        help="the frames' overflow risk under the forecast policies")  # fmt: skip
    parser.add_argument("--shapes", default="beta22,bimodal,ushape_low,high")
    parser.add_argument("--policies", default="seats,fixed13,forecast,full")
    parser.add_argument("--skip-first", type=int, default=0,
                        help="also report without the first N events of each series")  # fmt: skip
    parser.add_argument("--postgres", default="", help="postgres://user@host:port (a server)")
    parser.add_argument("--out", default="", help="directory for results.md and events.json")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="kaisai-bench-fullrooms-")
    if args.postgres:
        _pg(args.postgres, f"DROP DATABASE IF EXISTS {PG_NAME}")
        _pg(args.postgres, f"CREATE DATABASE {PG_NAME}")
        os.environ["DATABASE_URL"] = f"{args.postgres.rstrip('/')}/{PG_NAME}"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaisai.settings")
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ["KAISAI_TESTING"] = "1"
    os.environ["KAISAI_LOG_LEVEL"] = "WARNING"
    os.environ["KAISAI_DATA_DIR"] = tmp

    import django

    django.setup()
    import logging

    from django.core.management import call_command
    from django.db import connection

    from bench.fullrooms import report
    from bench.fullrooms.population import SHAPES
    from bench.fullrooms.sim import Simulation

    class Counter(logging.Handler):
        """Errors that kaisai logs and swallows (e.g. a failed re-plan in the ticker job)."""

        count = 0

        def emit(self, record: logging.LogRecord) -> None:
            Counter.count += 1
            print(f"logged error: {record.getMessage()}", file=sys.stderr)

    logging.getLogger("kaisai").addHandler(Counter(level=logging.ERROR))
    load_before = _load()
    started = time.perf_counter()
    try:
        call_command("migrate", verbosity=0)
        simulation = Simulation(
            shapes=args.shapes.split(","), policies=args.policies.split(","), seats=args.seats,
            events=args.events, seed=args.seed, demand=args.demand, risk=args.risk,
            progress=lambda line: print(f"  {time.perf_counter() - started:6.0f}s {line}",
                                        file=sys.stderr, flush=True),
        )  # fmt: skip
        results = simulation.run()
        vendor = connection.vendor
    finally:
        connection.close()
        shutil.rmtree(tmp, ignore_errors=True)
        if args.postgres:
            _pg(args.postgres, f"DROP DATABASE IF EXISTS {PG_NAME}")
    elapsed = time.perf_counter() - started
    commit = subprocess.run(  # noqa: S603
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],  # noqa: S607
        capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    lines = [
        f"{args.events} events × {args.seats} seats × {round(args.demand * args.seats)} "
        f"applicants, overflow risk {args.risk:g}, seed "
        f"{args.seed}, database {vendor}, commit {commit}, {elapsed:.0f} s, {os.cpu_count()} CPUs, "
        f"load average before {load_before}, after {_load()}, errors logged by kaisai "
        f"{Counter.count}",
        "",
    ]
    lines += ["", "Populations:", ""]
    lines += [f"- `{name}`: {SHAPES[name][0]}" for name in args.shapes.split(",")]
    lines += ["", report.markdown(report.rows(results)), ""]
    if args.skip_first:
        lines += [f"Without the first {args.skip_first} events of each series:", ""]
        lines += [report.markdown(report.rows(results, skip_first=args.skip_first)), ""]
    lines += ["Target for the full policy (≥ 95% utilisation, ≤ 5% overflowing):", ""]
    lines += [report.verdict(report.rows(results)), ""]
    if args.skip_first:
        lines += [f"… without the first {args.skip_first} events of each series:", ""]
        lines += [report.verdict(report.rows(results, skip_first=args.skip_first)), ""]
    text = "\n".join(lines)
    print(text)
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "results.md").write_text(text + "\n")
        (out / "events.json").write_text(json.dumps([asdict(r) for r in results], indent=1))


if __name__ == "__main__":
    main()
