"""The reference deployment of docs/deploy.md, run on this machine from the files in deploy/:

PgBouncer (transaction pooling, deploy/pgbouncer/pgbouncer.ini) in front of the PostgreSQL
test database; two app servers and a worker started with the command lines of the systemd
units (deploy/systemd/*.service) and the environment of deploy/kaisai.env.example; nginx with
deploy/nginx/kaisai.conf terminating TLS (a self-signed certificate) in front of them. Only the
host name, ports, paths, database and secrets are substituted. Then what a visitor and an
operator do: `kaisai check --deploy` is clean, HTTP redirects to HTTPS, pages and a
registration rush go through nginx and PgBouncer, /readyz is ready, /metrics is not public.

PostgreSQL only; needs nginx, pgbouncer and openssl (Debian's packages)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import pytest
from django.db import connection

from kaisai.accounts.services import create_api_tokens, create_users_without_password
from kaisai.registrations import services
from kaisai.registrations.models import Frame, Registration
from tests.factories import EventFactory, GroupFactory, UserFactory
from tests.live.conftest import free_port, needs_postgres
from tests.live.nginx import needs_nginx
from tests.live.stack import (
    OPENSSL,
    PGBOUNCER,
    environment_file,
    exec_start,
    fetch,
    nginx,
    pgbouncer,
    wait_for_url,
)

pytestmark = [
    needs_postgres,
    needs_nginx,
    pytest.mark.skipif(
        PGBOUNCER is None, reason="pgbouncer is not installed (apt-get install pgbouncer)"
    ),
    pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed"),
    pytest.mark.django_db(transaction=True),
]


def test_the_reference_deployment_serves_a_rush_through_nginx_and_pgbouncer(tmp_path):
    organizer = UserFactory()
    event = EventFactory(group=GroupFactory(owner=organizer))
    frame = services.create_frame(event=event, by=organizer, capacity=20, name="General")
    users = create_users_without_password(nicknames=[f"deploy{i}" for i in range(60)])
    tokens = [token for _, token in create_api_tokens(users=users, name="deploy")]
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    os.chmod(tmp_path, 0o755)  # noqa: S103
    os.chmod(data_dir, 0o755)  # noqa: S103
    logs = tmp_path / "logs"
    logs.mkdir()

    with ExitStack() as stack:
        bouncer = stack.enter_context(pgbouncer())
        app_ports = [free_port(), free_port()]
        http_port, https_port = free_port(), free_port()
        base = f"https://localhost:{https_port}"
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("KAISAI_", "DJANGO_"))},
            **environment_file(
                SECRET_KEY="deploy-test-" + "k" * 50,
                ALLOWED_HOSTS="localhost,127.0.0.1",
                KAISAI_BASE_URL=base,
                KAISAI_DATA_DIR=str(data_dir),
                DATABASE_URL=f"postgres://{connection.settings_dict.get('USER') or 'postgres'}"
                f"@127.0.0.1:{bouncer}/kaisai",
                REDIS_URL="redis://127.0.0.1:6379/9",
                EMAIL_URL="",
                KAISAI_LOG_LEVEL="WARNING",
            ),
        }
        processes: list[subprocess.Popen] = []

        def start(command: list[str], name: str, run_env: dict) -> subprocess.Popen:
            log = (logs / f"{name}.log").open("w")
            process = subprocess.Popen(command, env=run_env, stdout=log, stderr=log)
            processes.append(process)
            return process

        try:
            run_env = env
            # The documented order: migrate and collectstatic once, check, then the units.
            for step in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
                done = subprocess.run([str(Path(sys.executable).parent / "kaisai"), *step],
                                      env=run_env, capture_output=True, text=True)  # fmt: skip
                assert done.returncode == 0, done.stderr[-2000:]
            check = subprocess.run(
                [str(Path(sys.executable).parent / "kaisai"), "check", "--deploy"],
                env=run_env, capture_output=True, text=True,
            )  # fmt: skip
            assert check.returncode == 0, check.stderr[-2000:]
            assert "no issues" in check.stdout, check.stdout + check.stderr
            for index, port in enumerate(app_ports):
                command = exec_start("kaisai-web@.service", **{"%i": str(port)})
                process = start(command, f"web{index}", run_env)
                wait_for_url(f"http://127.0.0.1:{port}/healthz", process, logs / f"web{index}.log")
            start(exec_start("kaisai-worker@.service", **{"%i": "1"}), "worker", run_env)

            with nginx(tmp_path / "nginx", app_ports, data_dir, http_port, https_port):
                status, headers, _ = fetch(f"http://localhost:{http_port}/events/")
                assert status == 301 and headers["Location"].startswith("https://localhost")
                status, headers, body = fetch(f"{base}/events/{event.pk}/")
                assert status == 200, body[:500]
                assert "max-age=31536000" in headers.get("Strict-Transport-Security", "")
                assert fetch(f"{base}/metrics")[0] == 404  # not public through nginx
                # The operator reads readiness straight from an app server on loopback (the
                # worker's first heartbeat may take a moment on a busy machine).
                deadline = time.monotonic() + 60
                while True:
                    status, _, body = fetch(f"http://127.0.0.1:{app_ports[0]}/readyz")
                    if status == 200 or time.monotonic() > deadline:
                        break
                    time.sleep(1)
                assert status == 200, body

                def register(token: str) -> int:
                    return fetch(
                        f"{base}/api/v1/registrations/",
                        data=json.dumps({"frame_id": frame.pk}).encode(),
                        headers={"Authorization": f"Bearer {token}",
                                 "Content-Type": "application/json"},
                    )[0]  # fmt: skip

                with ThreadPoolExecutor(max_workers=16) as pool:
                    statuses = list(pool.map(register, tokens))
                assert set(statuses) == {201}, statuses
        finally:
            for process in processes:
                if process.poll() is None:
                    process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
    assert Registration.objects.filter(frame=frame, status="accepted").count() == 20
    assert Frame.objects.get(pk=frame.pk).accepted_count == 20
    assert Registration.objects.filter(frame=frame).count() == 60
    for name in ("web0", "web1", "worker"):
        assert "Traceback" not in (logs / f"{name}.log").read_text(), name
