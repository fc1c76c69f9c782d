"""One GET through Django's WSGIHandler in process, as gunicorn would make it (every
middleware and layer; the connection handed back at the end): profile_anon.py and
profile_user.py time pages with it."""

from __future__ import annotations

import sys
from typing import Any


def get(handler: Any, path: str, **headers: str) -> None:
    """GET `path` with `headers` (WSGI names, e.g. HTTP_COOKIE=...); asserts a 200."""
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": sys.stdin.buffer,
        "wsgi.errors": sys.stderr,
        **headers,
    }
    statuses: list[str] = []
    response = handler(environ, lambda status, _headers: statuses.append(status))
    b"".join(response)
    response.close()  # request_finished: the connection goes back as under gunicorn
    assert statuses[0].startswith("200"), statuses
