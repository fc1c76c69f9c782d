"""kaisai serve: the web server (gunicorn) with a background worker beside it.

    kaisai serve [--bind 127.0.0.1:8000] [--workers 2] [--threads 4] [--no-worker]

Both run as child processes; Ctrl-C or SIGTERM stops both. Without KAISAI_DEBUG the static
files are collected first. More gunicorn options can be given in GUNICORN_CMD_ARGS.
For several app servers run `kaisai serve --no-worker` on each and `kaisai worker` where
you like (see docs/).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

STOP_TIMEOUT = 15  # seconds a child may take to finish its work after SIGTERM


class _Stop(Exception):
    pass


def url_for_bind(bind: str) -> str:
    if bind.startswith(("unix:", "fd://")):
        return bind
    host, _sep, port = bind.rpartition(":")
    if not _sep:
        host, port = bind, "8000"
    if host in ("", "0.0.0.0", "[::]"):  # noqa: S104 - only used to print a URL
        host = "127.0.0.1"
    return f"http://{host}:{port}/"


def _listening(bind: str) -> bool:
    """Whether the server accepts connections yet (unix sockets: assume it does)."""
    if bind.startswith(("unix:", "fd://")):
        return True
    host, _sep, port = bind.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    if host in ("0.0.0.0", "::"):  # noqa: S104 - connecting, not binding
        host = "127.0.0.1"
    try:
        with socket.create_connection((host, int(port or 8000)), timeout=0.5):
            return True
    except (OSError, ValueError):
        return False


def metrics_dir(bind: str) -> Path:
    """gunicorn's processes share their metrics through files here (prometheus-client's
    multiprocess mode): one directory per app server, emptied at its start. An operator's
    own PROMETHEUS_MULTIPROC_DIR wins."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    name = "".join(c if c.isalnum() else "_" for c in bind)
    path = Path(settings.DATA_DIR) / "metrics" / name
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()
    return path


def gunicorn_extra_args() -> list[str]:
    """gunicorn ≥ 24 opens a control socket in ~/.gunicorn by default; several kaisai
    instances on one machine would fight over it, and kaisai does not use it."""
    from gunicorn import config

    if any(s.name == "control_socket_disable" for s in config.KNOWN_SETTINGS):
        return ["--no-control-socket"]
    return []


class Command(BaseCommand):
    help = "Run kaisai: gunicorn serving the site and a background worker beside it."

    def add_arguments(self, parser):
        parser.add_argument(
            "--bind",
            default=os.environ.get("KAISAI_BIND", "127.0.0.1:8000"),
            help="Address to listen on, HOST:PORT or unix:PATH (default: %(default)s).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("WEB_CONCURRENCY", "2")),
            help="gunicorn worker processes (default: %(default)s).",
        )
        parser.add_argument(
            "--threads", type=int, default=4, help="Threads per worker (default: %(default)s)."
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not start the background worker (run `kaisai worker` elsewhere).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            call_command("collectstatic", interactive=False, verbosity=0)
        self._warn_unapplied_migrations()

        env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"]}
        web = [
            sys.executable,
            "-m",
            "gunicorn",
            "kaisai.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            "--threads",
            str(options["threads"]),
            "--access-logfile",
            "-",
            *gunicorn_extra_args(),
        ]
        commands = {"web server": web}
        if not options["no_worker"]:
            commands["worker"] = [sys.executable, "-m", "kaisai", "worker"]
        web_env = {**env, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir(options["bind"]))}

        def stop(signum, frame):
            raise _Stop

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        children: dict[str, subprocess.Popen] = {}
        exit_code = 0
        try:
            for name, command in commands.items():
                # Own process group: Ctrl-C reaches only us, and we stop each child once.
                child_env = web_env if name == "web server" else env
                children[name] = subprocess.Popen(command, env=child_env, process_group=0)  # noqa: S603
            announced = False
            while True:
                for name, child in children.items():
                    code = child.poll()
                    if code is not None:
                        exit_code = code or 1
                        self.stderr.write(f"The {name} stopped (exit code {code}).")
                        raise _Stop
                if not announced and _listening(options["bind"]):
                    announced = True
                    self.stdout.write(
                        self.style.SUCCESS(
                            f"kaisai is running: open {url_for_bind(options['bind'])}"
                        )
                        + ("" if "worker" in children else " (no background worker)")
                        + "\nPress Ctrl-C to stop."
                    )
                time.sleep(0.2 if not announced else 0.5)
        except _Stop:
            pass
        finally:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            self._stop_all(children)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write("kaisai stopped.")
        if exit_code:
            raise CommandError("kaisai serve stopped because a child process ended.")

    def _stop_all(self, children: dict[str, subprocess.Popen]) -> None:
        for child in children.values():
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()

    def _warn_unapplied_migrations(self) -> None:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            self.stderr.write(
                self.style.WARNING("The database is not up to date: run `kaisai migrate` first.")
            )
