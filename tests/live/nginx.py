"""nginx in front of the app servers, as in deploy/nginx/kaisai.conf: one upstream of several
app servers, a failed one skipped (also for the POST of a registration, which is idempotent),
the real client address passed on. Started from a temporary prefix on a loopback port."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)

needs_nginx = pytest.mark.skipif(
    NGINX is None, reason="nginx is not installed (Debian: apt-get install nginx-light or nginx)"
)


def main_config(prefix: Path, http_body: str) -> str:
    """A whole nginx.conf that keeps everything (pid, logs, temporary files) under `prefix`,
    with `http_body` inside its http block (a site as in deploy/nginx/kaisai.conf)."""
    user = "user root;" if os.geteuid() == 0 else ""  # workers run as root only if we are root
    return f"""
daemon off;
{user}
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
{http_body}
}}
"""


SITE = """
    upstream kaisai {{
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 10m;
        location / {{
            proxy_pass http://kaisai;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_connect_timeout 2s;
            proxy_read_timeout 60s;
            proxy_next_upstream error timeout non_idempotent;
            proxy_next_upstream_tries 2;
        }}
    }}
"""


@contextmanager
def start_nginx(port: int, upstreams: list[str]) -> Iterator[str]:
    assert NGINX is not None
    prefix = Path(tempfile.mkdtemp(prefix="kaisai-nginx-"))
    os.chmod(prefix, 0o755)  # noqa: S103 (nginx workers run as another user)
    servers = "\n".join(
        f"        server {u.removeprefix('http://')} max_fails=1 fail_timeout=10s;"
        for u in upstreams
    )
    (prefix / "nginx.conf").write_text(main_config(prefix, SITE.format(servers=servers, port=port)))
    process = subprocess.Popen(
        [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(url + "/healthz", timeout=2).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "nginx did not start: " + (prefix / "error.log").read_text()
                        if (prefix / "error.log").exists()
                        else "nginx did not start"
                    ) from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(prefix, ignore_errors=True)
