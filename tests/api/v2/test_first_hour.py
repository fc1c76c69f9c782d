"""Issue 14, item 9: connpass's event URLs (/event/ID/), the JSON content type, POST → 405 with
CSRF checks on, whose upcoming registrations users/{nick}/attended_events/ lists, and the rate
limit shared by every worker (in the database when the cache is per process)."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from kaisai.api.models import RateCounter
from kaisai.api.v2 import ratelimit
from kaisai.registrations.services import register as register_one
from tests.api.v2.conftest import V2Client
from tests.api.v2.factories import TOKYO_EVENING, checked_in, frame, move_to, register
from tests.factories import EventFactory, UserFactory
from tests.threads import at_once

# How connpass clients read an event's id out of its URL (e.g. connpass-ai-bridge, the
# Python `connpass` package's examples): `/event/(\d+)/`.
CONNPASS_ID = re.compile(r"^https?://[^/]+/event/(\d+)/$")


def test_event_url_has_connpass_shape_and_redirects_to_the_event_page(v2, mlct, client):
    event = EventFactory(group=mlct)
    item = v2.json("/api/v2/events/", {"event_id": event.pk})["events"][0]
    match = CONNPASS_ID.match(item["url"])
    assert match is not None, item["url"]
    assert int(match.group(1)) == event.pk
    response = client.get(f"/event/{event.pk}/")
    assert response.status_code == 301
    assert response["Location"] == f"/events/{event.pk}/"
    assert client.get(f"/event/{event.pk}/", follow=True).status_code == 200


def test_json_says_its_charset(v2, mlct):
    response = v2.get("/api/v2/events/")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert V2Client(None).get("/api/v2/events/")["Content-Type"] == (
        "application/json; charset=utf-8"
    )


def test_post_is_the_documented_405_even_with_csrf_checks(api_key, mlct):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/v2/events/", {}, headers={"X-API-Key": api_key})
    assert response.status_code == 405
    assert response.json() == {"detail": "Only GET is allowed.", "reason": "method_not_allowed"}
    assert response["Allow"] == "GET, HEAD"


def test_attended_events_of_the_key_owner_include_upcoming_accepted_registrations(v2, reader, mlct):
    upcoming = EventFactory(group=mlct)
    register_one(frame=frame(upcoming, capacity=5), user=reader)
    body = v2.json("/api/v2/users/reader/attended_events/")
    assert [item["id"] for item in body["events"]] == [upcoming.pk]


def test_attended_events_of_someone_else_are_their_check_ins_only(v2, mlct):
    past = EventFactory(group=mlct)
    upcoming = EventFactory(group=mlct)
    other = UserFactory(nickname="other")
    register_one(frame=frame(upcoming, capacity=5), user=other)
    (came,) = register(frame(past, capacity=5), 1, "att")
    move_to(past, TOKYO_EVENING)
    checked_in(came)
    assert v2.json("/api/v2/users/att0/attended_events/")["events"] == []  # hidden by default
    type(came).objects.filter(pk=came.pk).update(listed=True)  # chose to appear at this event
    assert v2.json("/api/v2/users/other/attended_events/")["events"] == []
    assert [e["id"] for e in v2.json("/api/v2/users/att0/attended_events/")["events"]] == [past.pk]


# --- the rate limit across processes ----------------------------------------------------------


@pytest.fixture
def one_per_second(settings, monkeypatch):
    settings.KAISAI_API_V2_RATE = "1/s"
    monkeypatch.setattr(ratelimit, "now", lambda: 1_750_000_000.25)


def test_the_limit_holds_for_a_second_worker_with_its_own_cache(api_key, mlct, one_per_second):
    """Each worker process has its own in-memory cache: the second worker is simulated by
    emptying it between the two requests."""
    client = V2Client(api_key)
    assert client.get("/api/v2/events/").status_code == 200
    cache.clear()
    refused = client.get("/api/v2/events/")
    assert refused.status_code == 429
    assert RateCounter.objects.get().used == 2


# SQLite's in-memory test database is shared-cache: a second writer at the same instant gets
# "database table is locked" at once instead of waiting (a file database and PostgreSQL wait).
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="concurrent writers need a database that waits for locks (PostgreSQL)",
)
@pytest.mark.django_db(transaction=True)
def test_two_connections_at_once_get_one_answer(one_per_second):
    """Two workers, each with its own database connection, counting the same key in the
    same second: exactly one is allowed."""
    results = at_once(lambda: ratelimit.hit("k" * 64))
    assert sorted(results, key=lambda r: r is not None) == [None, 1]
    assert RateCounter.objects.get().used == 2


def test_a_new_window_restarts_the_count_on_the_same_row(settings, monkeypatch, db):
    settings.KAISAI_API_V2_RATE = "1/s"
    moment = {"now": 1_750_000_000.5}
    monkeypatch.setattr(ratelimit, "now", lambda: moment["now"])
    assert ratelimit.hit("a" * 64) is None
    assert ratelimit.hit("a" * 64) == 1
    moment["now"] += 1
    assert ratelimit.hit("a" * 64) is None
    assert list(RateCounter.objects.values_list("window", "used")) == [(1_750_000_001, 1)]
    moment["now"] -= 1  # another server whose clock lags: counted in the row's window
    assert ratelimit.hit("a" * 64) == 1
    assert list(RateCounter.objects.values_list("window", "used")) == [(1_750_000_001, 2)]


def test_a_shared_cache_keeps_counting_there(settings, db, monkeypatch, one_per_second):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}
    monkeypatch.setattr(ratelimit, "_count_in_cache", lambda *args: 7)
    assert ratelimit.hit("b" * 64) == 1
    assert not RateCounter.objects.exists()
