"""The reference deployment's parts (deploy/), started on this machine from its files: PgBouncer
(transaction pooling) in front of the Django connection's PostgreSQL database, nginx terminating
TLS (a self-signed certificate) in front of app servers started with the systemd units' command
lines and the environment file. Used by tests/live/test_deploy.py and by the city benchmark
(bench/city/). PostgreSQL only; needs nginx, pgbouncer and openssl (Debian's packages)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

from tests.live.conftest import free_port
from tests.live.nginx import NGINX, main_config

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
PGBOUNCER = shutil.which("pgbouncer") or (
    "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None
)
OPENSSL = shutil.which("openssl")


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
