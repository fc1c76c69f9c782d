"""CPU per registration, in-process: the app's and its PostgreSQL backend's, without HTTP,
wrk or other clients — for A/B of a change to the request on a shared, noisy machine.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kaisai_NAME_cpu SECRET_KEY=bench \\
      .venv/bin/python bench/rush/cpu_per_request.py [-n 2000] [--rounds 3] [--setup]

With --setup the database (which must exist and be migrated) gets a published event, a
first-come frame and N×rounds (+ warm-up) fresh users with a token each. Each request is
`POST /api/v1/registrations/` with a fresh token, through `kaisai.wsgi.application` (the
middleware stack gunicorn runs), one at a time. Per round it prints the app's CPU
(`time.process_time`) and the backend's (utime+stime of `pg_backend_pid()` from /proc, so
only a PostgreSQL on this machine) per request, in ms, and the statements per request as
the app sends them (Django's execute wrapper).
Other load slows CPU time less than wall time, but it still shifts it (caches, frequency):
compare two commits by alternating runs (A B A B), not with figures of another hour.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaisai.settings")
os.environ.setdefault("KAISAI_DEBUG", "0")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
os.environ.setdefault("KAISAI_LOG_LEVEL", "WARNING")
if "KAISAI_STATIC_ROOT" not in os.environ:  # as run.sh: an empty static root
    os.environ["KAISAI_STATIC_ROOT"] = tempfile.mkdtemp(prefix="kaisai-cpu-static.")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

# One backend for the whole measurement (gunicorn's would be replaced every 60 s; the health
# check's SELECT 1 at each request's first query stays, as in production).
connection.settings_dict["CONN_MAX_AGE"] = None

from kaisai.wsgi import application  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
STATE = os.path.join(tempfile.gettempdir(), "kaisai-cpu-per-request-{db}.json")


def backend_cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


class StatementCounter:
    """connection.execute_wrapper: counts the statements the app sends (BEGIN and COMMIT are
    not statements to Django: they are counted as `transactions` by the atomic blocks)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def setup(count: int, path: str) -> None:
    sys.path.insert(0, os.path.dirname(__file__))
    import setup_rush  # the rush benchmark's objects

    event = setup_rush.make_event()
    frame = setup_rush.make_frame(event.pk, 100_000_000, "cpu")
    tokens = f"{path}.tokens"
    setup_rush.make_tokens(f"cpu{int(time.time())}u", count, tokens)
    with open(path, "w") as state:
        json.dump({"frame": frame, "tokens": tokens, "next": 0}, state)


def request(frame: int, token: str) -> int:
    body = json.dumps({"frame_id": frame}).encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/v1/registrations/",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    status = []
    chunks = application(environ, lambda s, headers, exc_info=None: status.append(s))
    b"".join(chunks)
    if hasattr(chunks, "close"):
        chunks.close()
    return int(status[0].split()[0])


def load() -> str:
    with open("/proc/loadavg") as loadavg:
        return loadavg.read().split()[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--setup", action="store_true")
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    path = STATE.format(db=connection.settings_dict["NAME"])
    warmup = 200
    if args.setup:
        setup((args.n * args.rounds + warmup) * 4, path)
    with open(path) as state_file:
        state = json.load(state_file)
    with open(state["tokens"]) as token_file:
        tokens = [line.strip() for line in token_file if line.strip()]
    position = state["next"]
    need = warmup + args.n * args.rounds
    if position + need > len(tokens):
        sys.exit(f"only {len(tokens) - position} tokens left: run with --setup")
    state["next"] = position + need
    with open(path, "w") as state_file:
        json.dump(state, state_file)
    mine = iter(tokens[position : position + need])
    for _ in range(warmup):
        assert request(state["frame"], next(mine)) == 201
    pid = connection.connection.info.backend_pid
    for round_ in range(args.rounds):
        counter = StatementCounter()
        with connection.execute_wrapper(counter):
            db0, app0 = backend_cpu_seconds(pid), time.process_time()
            for _ in range(args.n):
                status = request(state["frame"], next(mine))
                assert status == 201, status
            app, db = time.process_time() - app0, backend_cpu_seconds(pid) - db0
        assert connection.connection.info.backend_pid == pid, "the connection was replaced"
        print(
            f"{args.label} round {round_ + 1}: app {1000 * app / args.n:.3f} ms/req, "
            f"db {1000 * db / args.n:.3f} ms/req, "
            f"statements {counter.count / args.n:.2f}/req  "
            f"(load {load()})",
            flush=True,
        )


if __name__ == "__main__":
    main()
