"""The event page benchmark's objects and its query count (run by bench/page/run.sh).

    setup_page.py info EVENT_ID      -> JSON: title, registrations, talks, frames of the event
    setup_page.py cookie EVENT_ID    -> "NAME=VALUE": a session cookie of a person with an
                                        accepted registration who is not an organizer
    setup_page.py queries EVENT_ID   -> JSON: SQL queries of GET /events/EVENT_ID/ anonymous and
                                        logged in (that person), first request and the next one

Runs with kaisai's settings (DATABASE_URL etc. from the environment); the request goes through
Django's test client, so the whole middleware stack runs, as in gunicorn.
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaisai.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from kaisai.events.models import Event  # noqa: E402
from kaisai.groups.models import Organizer  # noqa: E402
from kaisai.registrations.models import Registration  # noqa: E402

HOST = (settings.ALLOWED_HOSTS or ["127.0.0.1"])[0]


def attendee(event: Event):
    organizers = Organizer.objects.filter(group_id=event.group_id).values("user_id")
    registration = (
        Registration.objects.filter(event=event, status="accepted")
        .exclude(user_id__in=organizers)
        .select_related("user")
        .order_by("id")
        .first()
    )
    if registration is None:
        raise SystemExit(f"event {event.pk} has no accepted registration of a non-organizer")
    return registration.user


def client_for(event: Event, logged_in: bool) -> Client:
    client = Client(HTTP_HOST=HOST)
    if logged_in:
        client.force_login(attendee(event))
    return client


TRANSACTION_CONTROL = {"BEGIN", "COMMIT", "ROLLBACK"}


def count(client: Client, path: str) -> dict:
    """The SQL statements of two requests (the first may fill the page cache), with the
    transaction's own BEGIN and COMMIT counted apart."""
    runs = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        statements = [query["sql"] for query in queries.captured_queries]
        control = [sql for sql in statements if sql in TRANSACTION_CONTROL]
        runs.append({
            "status": response.status_code,
            "queries": len(statements) - len(control),
            "transaction_control": len(control),  # the read snapshot's BEGIN and COMMIT
        })  # fmt: skip
    return {"first": runs[0], "next": runs[1]}


def main() -> None:
    command, event_id = sys.argv[1], int(sys.argv[2])
    event = Event.objects.get(pk=event_id)
    if command == "info":
        print(json.dumps({
            "event": event.pk, "title": event.title,
            "registrations": Registration.objects.filter(event=event).count(),
            "accepted": Registration.objects.filter(event=event, status="accepted").count(),
            "frames": event.frames.count(),
            "talks": event.talks.count() if hasattr(event, "talks") else None,
        }, ensure_ascii=False))  # fmt: skip
    elif command == "cookie":
        # What a logged-in browser sends: its session, and the CSRF cookie the first page it
        # was shown set (without it every answer makes, masks and sets a new secret).
        client = client_for(event, logged_in=True)
        client.get(f"/events/{event.pk}/")
        names = (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)
        print("; ".join(f"{name}={client.cookies[name].value}" for name in names))
    elif command == "queries":
        path = f"/events/{event.pk}/"
        result = {
            "path": path,
            "anonymous": count(client_for(event, logged_in=False), path),
            "logged_in": count(client_for(event, logged_in=True), path),
        }
        print(json.dumps(result))
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main()
