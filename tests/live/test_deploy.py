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
import re
import shlex
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from django.db import connection

from kaisai.accounts.services import create_api_tokens, create_users_without_password
from kaisai.registrations import services
from kaisai.registrations.models import Frame, Registration
from tests.factories import EventFactory, GroupFactory, UserFactory
from tests.live.conftest import free_port, needs_postgres
from tests.live.nginx import NGINX, main_config, needs_nginx

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
PGBOUNCER = shutil.which("pgbouncer") or (
    "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None
)
OPENSSL = shutil.which("openssl")

pytestmark = [
    needs_postgres,
    needs_nginx,
    pytest.mark.skipif(
        PGBOUNCER is None, reason="pgbouncer is not installed (apt-get install pgbouncer)"
    ),
    pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed"),
    pytest.mark.django_db(transaction=True),
]

TLS = ssl.create_default_context()
TLS.check_hostname = False
TLS.verify_mode = ssl.CERT_NONE


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str, *, data: bytes | None = None, headers: dict | None = None):
    """(status, headers, body) without following redirects; TLS not verified (self-signed)."""
    opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=TLS))
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def wait_for_url(url: str, process: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            fetch(url)
            return
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up:\n{log.read_text()[-3000:]}")


def exec_start(unit: str, **substitutions: str) -> list[str]:
    """The unit's ExecStart as a command line, with %i and the install path replaced."""
    text = (DEPLOY / "systemd" / unit).read_text()
    (line,) = re.findall(r"^ExecStart=(.+)$", text, flags=re.M)
    line = line.replace("/srv/kaisai/venv/bin/", str(Path(sys.executable).parent) + "/")
    for key, value in substitutions.items():
        line = line.replace(key, value)
    return shlex.split(line)


def environment_file(**overrides: str) -> dict[str, str]:
    env = {}
    for line in (DEPLOY / "kaisai.env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip()
    env.update(overrides)
    return env


@contextmanager
def pgbouncer() -> Iterator[int]:
    """deploy/pgbouncer/pgbouncer.ini with the test database, a loopback port and trust auth
    (the test database's own authentication)."""
    assert PGBOUNCER is not None
    db = connection.settings_dict
    port = free_port()
    # pgbouncer refuses to run as root: as root it runs as nobody, in a directory it can reach.
    workdir = Path(tempfile.mkdtemp(prefix="kaisai-pgbouncer-"))
    os.chmod(workdir, 0o777)  # noqa: S103
    ini = (DEPLOY / "pgbouncer" / "pgbouncer.ini").read_text()
    ini = ini.replace(
        "kaisai = host=127.0.0.1 port=5432 dbname=kaisai",
        f"kaisai = host={db.get('HOST') or '127.0.0.1'} port={db.get('PORT') or 5432} "
        f"dbname={db['NAME']} user={db.get('USER') or 'postgres'}",
    )
    ini = ini.replace("listen_port = 6432", f"listen_port = {port}")
    ini = ini.replace("auth_type = scram-sha-256", "auth_type = trust")
    ini = ini.replace("/etc/pgbouncer/userlist.txt", str(workdir / "userlist.txt"))
    ini += f"unix_socket_dir = {workdir}\nlogfile = {workdir / 'pgbouncer.log'}\n"
    (workdir / "userlist.txt").write_text(f'"{db.get("USER") or "postgres"}" ""\n')
    (workdir / "pgbouncer.ini").write_text(ini)
    for name in ("userlist.txt", "pgbouncer.ini"):
        os.chmod(workdir / name, 0o644)
    command = [PGBOUNCER, str(workdir / "pgbouncer.ini")]
    if os.geteuid() == 0:
        command[1:1] = ["-u", "nobody"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                import socket

                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, process.communicate()[0]
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def nginx(
    workdir: Path, upstream_ports: list[int], data_dir: Path, http: int, https: int
) -> Iterator[None]:
    """deploy/nginx/kaisai.conf with loopback ports, a self-signed certificate for localhost
    and the test's data directory."""
    assert NGINX is not None and OPENSSL is not None
    workdir.mkdir(parents=True, exist_ok=True)
    os.chmod(workdir, 0o755)  # noqa: S103 (nginx workers read from here)
    subprocess.run(
        [OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
         "/CN=localhost", "-keyout", str(workdir / "key.pem"), "-out", str(workdir / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    conf = (DEPLOY / "nginx" / "kaisai.conf").read_text()
    conf = conf.replace("meetups.example.org;", "localhost;")
    conf = conf.replace(
        "/etc/letsencrypt/live/meetups.example.org/fullchain.pem", str(workdir / "cert.pem")
    )
    conf = conf.replace(
        "/etc/letsencrypt/live/meetups.example.org/privkey.pem", str(workdir / "key.pem")
    )
    conf = conf.replace("/srv/kaisai/data/", f"{data_dir}/")
    conf = conf.replace("    listen [::]:80;\n", "").replace("    listen [::]:443 ssl http2;\n", "")
    conf = conf.replace("listen 80;", f"listen 127.0.0.1:{http};")
    conf = conf.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;")
    assert "server 127.0.0.1:8001" in conf and "server 127.0.0.1:8002" in conf
    conf = conf.replace("127.0.0.1:8001", f"127.0.0.1:{upstream_ports[0]}")
    conf = conf.replace("127.0.0.1:8002", f"127.0.0.1:{upstream_ports[1]}")
    (workdir / "nginx.conf").write_text(main_config(workdir, conf))
    check = subprocess.run([NGINX, "-t", "-p", str(workdir), "-c", str(workdir / "nginx.conf")],
                           capture_output=True, text=True)  # fmt: skip
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen([NGINX, "-p", str(workdir), "-c", str(workdir / "nginx.conf")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        wait_for_url(f"https://localhost:{https}/healthz", process, workdir / "error.log")
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


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
