"""App servers started as real gunicorn processes on the test database (PostgreSQL only:
the SQLite test database lives in this process's memory)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection

from kaisai.core.management.commands.serve import gunicorn_extra_args

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="app servers in other processes need a shared database: run with DATABASE_URL=postgres://...",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


@contextmanager
def start_app_servers(count: int, *, lock: bool = True) -> Iterator[list[str]]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "KAISAI_TESTING": "1",
        "KAISAI_REGISTRATION_LOCK": "on" if lock else "off",
        "SECRET_KEY": "live-test-key",
        "KAISAI_DATA_DIR": "/nonexistent-kaisai-data",  # no demo env file (var/kaisai.env)
        "KAISAI_LOG_LEVEL": "WARNING",
    }
    processes, urls = [], []
    for _ in range(count):
        port = free_port()
        command = [sys.executable, "-m", "gunicorn", "kaisai.wsgi:application",
                   "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "8",
                   *gunicorn_extra_args()]  # fmt: skip
        processes.append(subprocess.Popen(command, env=env))
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for url in urls:
            wait_until_up(url)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def wait_until_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/api/v1/events/", timeout=2).read()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"app server at {url} did not start")
