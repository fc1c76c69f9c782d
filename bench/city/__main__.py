"""The city benchmark (bench/city/README.md).

python -m bench.city generate [--scale S] [--groups N --people N --events N --registrations N]
    drop and create the database (DATABASE_URL, default kaisai_bench_city), migrate, generate
    the city, check counters = facts
python -m bench.city check
python -m bench.city rush [--capacity 200] [--people-per-rush 3000] [--connections 32]
    [--duration 20s] [--out DIR]
    three simultaneous registration rushes and the event page through the reference stack
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from urllib.parse import urlsplit

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/kaisai_bench_city"


def recreate_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    env = {
        **os.environ,
        "PGHOST": parts.hostname or "127.0.0.1",
        "PGPORT": str(parts.port or 5432),
        "PGUSER": parts.username or "postgres",
    }
    if parts.password:
        env["PGPASSWORD"] = parts.password
    subprocess.run(
        ["psql", "-qX", "-v", "ON_ERROR_STOP=1", "-d", "postgres",
         "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', "-c", f'CREATE DATABASE "{name}"'],
        env=env, check=True,
    )  # fmt: skip


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.city", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate")
    gen.add_argument("--scale", type=float, default=1.0)
    for name in ("groups", "people", "events", "registrations"):
        gen.add_argument(f"--{name}", type=int)
    gen.add_argument("--seed", type=int, default=16)
    gen.add_argument("--keep-database", action="store_true", help="do not drop and create it")
    sub.add_parser("check")
    rush = sub.add_parser("rush")
    rush.add_argument("--capacity", type=int, default=200)
    rush.add_argument("--people-per-rush", type=int, default=3000)
    rush.add_argument("--connections", type=int, default=32)
    rush.add_argument("--duration", default="20s")
    rush.add_argument("--out", default=None)
    args = parser.parse_args(argv)

    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaisai.settings")
    os.environ.setdefault("SECRET_KEY", "city-benchmark-only-" + "x" * 40)
    if args.command == "generate" and not args.keep_database:
        if not os.environ["DATABASE_URL"].startswith("postgres"):
            sys.exit("generate recreates a PostgreSQL database: DATABASE_URL=postgres://...")
        recreate_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command

    from bench.city import generate

    if args.command == "generate":
        t = time.monotonic()
        call_command("migrate", "--noinput", verbosity=0)
        print(f"migrate: {time.monotonic() - t:.1f} s")
        sizes = generate.Sizes().scaled(args.scale)
        sizes = generate.Sizes(
            **{
                name: getattr(args, name) or getattr(sizes, name)
                for name in ("groups", "people", "events", "registrations")
            }
        )
        print(f"generating {sizes}")
        result = generate.generate(sizes, seed=args.seed)
        print(f"generated in {result['seconds']} s: {json.dumps(result)}")
        checked = generate.check()
        print(f"check: {json.dumps(checked)}")
        if (
            checked["counter_differs"]
            or checked["oversold"]
            or checked["waitlist_keys_not_distinct"]
        ):
            sys.exit("counters differ from the facts")
    elif args.command == "check":
        print(json.dumps(generate.check()))
    else:
        from bench.city import rush as rush_module

        rush_module.run(args)


if __name__ == "__main__":
    main(sys.argv[1:])
