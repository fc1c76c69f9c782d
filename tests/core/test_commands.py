"""kaisai's own commands of core: worker, serve (token and demo: tests/site/test_commands.py)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django_tasks import task

from kaisai.core.models import DemoMail

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# --- worker -------------------------------------------------------------------------------


@task()
def leave_a_note(subject: str) -> None:
    DemoMail.objects.create(from_email="worker@test", to="test", subject=subject, body="")


@pytest.mark.django_db(transaction=True)  # the worker closes connections between tasks
def test_worker_runs_queued_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    leave_a_note.enqueue("from the queue")
    assert not DemoMail.objects.filter(subject="from the queue").exists()

    # no ticker: its heartbeat write would race the task on the shared in-memory SQLite
    run("worker", "--batch", "--no-startup-delay", "--no-ticker", "--verbosity", "0")

    assert DemoMail.objects.filter(subject="from the queue").exists()


# --- serve --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def kaisai(*args: str) -> list[str]:
    return [sys.executable, "-m", "kaisai", *args]


@pytest.mark.django_db(transaction=False)
def test_serve_answers_http_and_stops_on_sigterm(tmp_path: Path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        "KAISAI_DEBUG": "1",
        "KAISAI_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "kaisai.settings",
    }
    env.pop("KAISAI_TESTING", None)
    subprocess.run(kaisai("migrate", "--verbosity", "0"), env=env, check=True, timeout=300)
    port = free_port()
    server = subprocess.Popen(
        kaisai("serve", "--no-worker", "--bind", f"127.0.0.1:{port}", "--workers", "1"),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    assert response.status == 200
                    assert b"kaisai" in response.read()
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
    assert server.returncode == 0, output
    assert f"http://127.0.0.1:{port}/" in output
    with pytest.raises(OSError):  # gunicorn is gone too
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_serve_url_for_bind():
    from kaisai.core.management.commands.serve import url_for_bind

    assert url_for_bind("127.0.0.1:8000") == "http://127.0.0.1:8000/"
    assert url_for_bind("0.0.0.0:9000") == "http://127.0.0.1:9000/"
    assert url_for_bind("unix:/run/kaisai.sock") == "unix:/run/kaisai.sock"
