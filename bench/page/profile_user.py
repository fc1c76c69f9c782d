"""App CPU per logged-in request of the event page, in process (no HTTP server, no load
generator): N requests of GET /events/EVENT/ through Django's WSGIHandler (every middleware
and layer, as under gunicorn) with the session cookie of a logged-in visitor.

    profile_user.py setup                 # fresh database (DATABASE_URL), migrate, demo,
                                          # collectstatic into KAISAI_STATIC_ROOT
    profile_user.py time [-n N] [-e EVENT] # JSON: ms of CPU and of wall time per request,
                                          # for a visitor with an accepted registration and
                                          # one without any, and the load average

Environment: DATABASE_URL (your own database, e.g. postgres://postgres@127.0.0.1:5432/huser_page),
KAISAI_STATIC_ROOT (a temporary directory). KAISAI_EVENT_PAGE_USER_CACHE=0 times the full
render of the same code; PYTHONPATH=<an older checkout>/src times older code.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

from wsgi_get import get  # this folder (the script's own)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaisai.settings")
os.environ.setdefault("SECRET_KEY", "profile-user-benchmark-only-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
os.environ.setdefault("KAISAI_DEBUG", "0")
os.environ.setdefault("KAISAI_LOG_LEVEL", "WARNING")


def setup() -> None:
    url = urlparse(os.environ["DATABASE_URL"])
    name = url.path.lstrip("/")
    assert name and not name.startswith("kaisai_bench"), name
    psql = ["psql", "-h", url.hostname or "127.0.0.1", "-U", url.username or "postgres", "-q"]
    drop = f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    subprocess.run([*psql, "-c", drop, "-c", f"CREATE DATABASE {name}", "postgres"], check=True)
    kaisai = str(Path(sys.executable).with_name("kaisai"))
    subprocess.run([kaisai, "migrate", "--noinput"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([kaisai, "demo"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([kaisai, "collectstatic", "--noinput"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([*psql, "-c", "VACUUM ANALYZE", name], check=True)


def session_cookie(user) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def visitors(event_id: int) -> dict[str, object]:
    from kaisai.accounts.models import User
    from kaisai.groups.models import Organizer
    from kaisai.registrations.models import Registration

    organizers = Organizer.objects.filter(group__events__id=event_id).values("user_id")
    accepted = (
        Registration.objects.filter(event_id=event_id, status="accepted")
        .exclude(user_id__in=organizers)
        .order_by("id")
        .first()
    )
    assert accepted is not None, "the event has no accepted registration of a non-organizer"
    nobody = User.objects.filter(nickname="profile-user-nobody").first()
    if nobody is None:
        nobody = User.objects.create(nickname="profile-user-nobody", email="pun@example.org")
    return {"accepted": accepted.user, "not registered": nobody}


def time_requests(path: str, cookie: str, count: int) -> dict[str, float]:
    from django.core.handlers.wsgi import WSGIHandler

    handler = WSGIHandler()

    def one() -> None:
        get(handler, path, HTTP_COOKIE=cookie)

    for _ in range(20):  # warm: templates, translations, the cache, the prepared statement
        one()
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(count):
        one()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {"cpu_ms": round(cpu / count * 1000, 2), "wall_ms": round(wall / count * 1000, 2)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=("setup", "time"))
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("-e", "--event", type=int, default=5)
    args = parser.parse_args()
    if args.command == "setup":
        setup()
        return
    import django

    django.setup()
    import kaisai

    load_before = os.getloadavg()
    result: dict[str, object] = {
        "code": str(Path(kaisai.__file__).parent),
        "user_cache": os.environ.get("KAISAI_EVENT_PAGE_USER_CACHE", "default"),
        "requests": args.n,
    }
    for who, user in visitors(args.event).items():
        result[who] = time_requests(f"/events/{args.event}/", session_cookie(user), args.n)
    result["load_before"] = [round(x, 2) for x in load_before]
    result["load_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
