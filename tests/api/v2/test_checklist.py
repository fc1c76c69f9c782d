"""The client-compatibility checklist of the connpass reference (§1.13), item by item, with the
requests real clients send replayed as they appear on the wire."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import quote

import pytest

from kaisai.events.enums import VenueKind
from tests.api.v2.factories import checked_in, frame, move_to, past_event, register
from tests.factories import EventFactory, GroupFactory, OrganizerFactory, UserFactory
from tests.talks.factories import MaterialFactory, TalkFactory

# The PyPI client `connpass` (ryohidaka/connpass-py 0.2.0), captured by the reference.
PYPI_UA = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_5) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/50.0.2661.102 Safari/537.36"
)


@pytest.fixture
def bpstudy(db):
    owner = UserFactory(nickname="y")
    group = GroupFactory(slug="bpstudy", owner=owner)
    event = EventFactory(
        group=group,
        title="python 機械学習 a",
        prefecture="tokyo",
        latitude=Decimal("35.672968"),
        longitude=Decimal("139.716905"),
    )
    (registration,) = register(frame(event, capacity=5), 1, "x")
    registration.user.nickname = "x"
    registration.user.show_in_lists = True  # chose to appear (docs/participants.md)
    registration.user.save()
    checked_in(registration)
    move_to(event, datetime(2025, 4, 1, 10, 0, tzinfo=UTC))
    return group, event


def test_the_pypi_clients_full_query_is_understood(v2, bpstudy):
    group, event = bpstudy
    query = (
        f"event_id={event.pk}&event_id=999999&keyword=python&keyword={quote('機械学習')}"
        "&keyword_or=a&keyword_or=b&ym=202504&ym=202505&ymd=20250401&nickname=x"
        f"&owner_nickname=y&group_id={group.pk}&subdomain=bpstudy&prefecture=tokyo"
        "&prefecture=online&order=EventOrder.STARTED_AT&count=100&start=1"
    )
    response = v2.client.get(
        f"/api/v2/events?{query}",  # no trailing slash
        headers={"X-API-Key": v2.headers["X-API-Key"], "User-Agent": PYPI_UA, "Accept": "*/*"},
    )
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["events"]] == [event.pk]


def test_the_pypi_clients_presentations_query(v2, bpstudy):
    _group, event = bpstudy
    for _ in range(3):
        MaterialFactory(talk=TalkFactory(event=event), event=event)
    response = v2.client.get(
        f"/api/v2/events/{event.pk}/presentations?count=5&start=2",
        headers={"X-API-Key": v2.headers["X-API-Key"], "User-Agent": PYPI_UA},
    )
    assert response.status_code == 200
    assert response.json()["results_returned"] == 2


def test_the_ruby_gems_comma_joined_query_with_trailing_slash(v2, bpstudy):
    group, event = bpstudy
    other = past_event(group=group)
    response = v2.client.get(
        f"/api/v2/events/?event_id={event.pk},{other.pk}&order=2&count=10",
        headers={
            "X-Api-Key": v2.headers["X-API-Key"],  # the gem's spelling
            "User-Agent": "connpass_api_v2-ruby/v0.1.0",
            "Content-Type": "application/json",  # sent on GET by the gem
        },
    )
    assert response.status_code == 200
    assert sorted(item["id"] for item in response.json()["events"]) == sorted([event.pk, other.pk])


@pytest.mark.parametrize(
    "path",
    [
        "events/",
        "groups/",
        "users/",
        "users/y/groups/",
        "users/y/attended_events/",
        "users/y/presenter_events/",
    ],
)
def test_the_ruby_gems_paths_with_trailing_slash(v2, bpstudy, path):
    assert v2.get(f"/api/v2/{path}").status_code == 200


def test_lat_lon_are_strings_and_null_when_online(v2, bpstudy):
    _group, event = bpstudy
    online = past_event(group=event.group, venue_kind=VenueKind.ONLINE, address="オンライン")
    body = v2.json("/api/v2/events/", {"event_id": f"{event.pk},{online.pk}", "order": 1})
    by_id = {item["id"]: item for item in body["events"]}
    assert by_id[event.pk]["lat"] == "35.672968000000"
    assert by_id[event.pk]["lon"] == "139.716905000000"
    assert by_id[online.pk]["lat"] is None and by_id[online.pk]["lon"] is None


def test_open_status_and_event_type_are_within_the_closed_enums(v2, bpstudy):
    group, _event = bpstudy
    for status in ("published", "cancelled", "postponed"):
        EventFactory(group=group, status=status)
    body = v2.json("/api/v2/events/", {"count": 100})
    assert {item["open_status"] for item in body["events"]} <= {
        "preopen",
        "open",
        "close",
        "cancelled",
    }
    assert {item["event_type"] for item in body["events"]} <= {"participation", "advertisement"}


def test_group_inside_an_event_always_has_a_subdomain(v2, bpstudy):
    body = v2.json("/api/v2/events/")
    assert all(isinstance(item["group"]["subdomain"], str) for item in body["events"])


def test_member_users_count_is_an_integer(v2, bpstudy):
    item = v2.json("/api/v2/groups/", {"subdomain": "bpstudy"})["groups"][0]
    assert type(item["member_users_count"]) is int


def test_owner_nickname_is_exact(v2, bpstudy):
    _group, event = bpstudy
    other = GroupFactory(slug="other")
    OrganizerFactory(group=other, user=UserFactory(nickname="yy"))
    past_event(group=other)
    body = v2.json("/api/v2/events/", {"owner_nickname": "y"})
    assert [item["id"] for item in body["events"]] == [event.pk]
