"""GET /api/v2/events/: every field of the Event object and its open_status."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kaisai.events.enums import EventStatus
from kaisai.registrations.enums import Method
from tests.api.v2.events_helpers import URL
from tests.api.v2.factories import (
    TOKYO_EVENING,
    frame,
    move_to,
    past_event,
    register,
)
from tests.factories import EventFactory, GroupFactory, UserFactory

EVENT_KEYS = {
    "id", "title", "catch", "description", "url", "image_url", "hash_tag", "started_at",
    "ended_at", "published_at", "limit", "event_type", "open_status", "group", "address",
    "place", "lat", "lon", "owner_id", "owner_nickname", "owner_display_name", "accepted",
    "waiting", "updated_at",
}  # fmt: skip
# The fields the PyPI client `connpass` types as `str`: never null.
STRING_FIELDS = (
    "title", "catch", "description", "url", "image_url", "hash_tag", "owner_nickname",
    "owner_display_name",
)  # fmt: skip
SECONDS_JST = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00$")


# --- the Event object ---------------------------------------------------------------------


def test_event_object_has_every_field_as_connpass_writes_it(v2, mlct):
    creator = UserFactory(nickname="emily-clark", display_name="Emily Clark")
    event = past_event(
        group=mlct,
        title="MLCT #5",
        catch="機械学習の気軽な勉強会",
        description="## 内容\n\n**LT** あり",
        hashtag="mlct",
        place="Sponsor Inc. 10F",
        address="東京都渋谷区渋谷1-2-3",
        latitude=Decimal("35.658034"),
        longitude=Decimal("139.701636"),
        created_by=creator,
        published_at=TOKYO_EVENING - timedelta(days=20),
    )

    body = v2.json(URL, {"event_id": event.pk})

    assert list(body) == ["results_returned", "results_available", "results_start", "events"]
    assert (body["results_returned"], body["results_available"], body["results_start"]) == (
        1,
        1,
        1,
    )
    item = body["events"][0]
    assert set(item) == EVENT_KEYS
    assert item["id"] == event.pk
    assert item["title"] == "MLCT #5"
    assert item["catch"] == "機械学習の気軽な勉強会"
    assert item["description"] == "<h2>内容</h2>\n<p><strong>LT</strong> あり</p>\n"
    assert item["url"] == f"https://kaisai.example.org/event/{event.pk}/"
    assert item["image_url"] == ""
    assert item["hash_tag"] == "mlct"
    assert item["started_at"] == "2025-04-17T18:30:00+09:00"
    assert item["ended_at"] == "2025-04-17T20:30:00+09:00"
    assert item["published_at"] == "2025-03-28T18:30:00+09:00"
    assert item["limit"] is None
    assert item["event_type"] == "participation"
    assert item["open_status"] == "close"
    assert item["group"] == {
        "id": mlct.pk,
        "subdomain": "mlct",
        "title": "Machine Learning Casual Talks",
        "url": "https://kaisai.example.org/groups/mlct/",
    }
    assert item["address"] == "東京都渋谷区渋谷1-2-3"
    assert item["place"] == "Sponsor Inc. 10F"
    assert item["lat"] == "35.658034000000"
    assert item["lon"] == "139.701636000000"
    assert (item["owner_id"], item["owner_nickname"], item["owner_display_name"]) == (
        creator.pk,
        "emily-clark",
        "Emily Clark",
    )
    assert (item["accepted"], item["waiting"]) == (0, 0)
    assert SECONDS_JST.match(item["updated_at"])


def test_json_is_utf8_not_escaped(v2, mlct):
    past_event(group=mlct, title="機械学習")
    response = v2.get(URL)
    assert response["Content-Type"].startswith("application/json")
    assert "機械学習".encode() in response.content


def test_empty_values_are_empty_strings_never_null(v2, mlct):
    event = past_event(group=mlct, catch="", description="", hashtag="", place="", address="")
    item = v2.json(URL, {"event_id": event.pk})["events"][0]
    for name in STRING_FIELDS:
        assert item[name] is not None, name
        assert isinstance(item[name], str), name
    assert (item["catch"], item["description"], item["image_url"], item["hash_tag"]) == (
        "",
        "",
        "",
        "",
    )
    assert (item["address"], item["place"]) == ("", "")
    assert item["lat"] is None and item["lon"] is None  # no coordinates: null, like connpass


def test_image_url_is_absolute(v2, mlct, settings):
    event = past_event(group=mlct, image="events/mlct5.png")
    item = v2.json(URL, {"event_id": event.pk})["events"][0]
    assert item["image_url"] == "https://kaisai.example.org/media/events/mlct5.png"


def test_owner_is_the_group_owner_when_nobody_is_recorded_as_creator(v2, mlct):
    event = past_event(group=mlct, created_by=None)
    item = v2.json(URL, {"event_id": event.pk})["events"][0]
    assert (item["owner_nickname"], item["owner_display_name"]) == ("hiroshi_tanaka", "田中 博")
    assert isinstance(item["owner_id"], int)


def test_owner_fields_stay_typed_without_any_owner(v2):
    event = past_event(group=GroupFactory(), created_by=None)
    item = v2.json(URL, {"event_id": event.pk})["events"][0]
    assert (item["owner_id"], item["owner_nickname"], item["owner_display_name"]) == (0, "", "")


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Asia/Tokyo", "2025-04-17T18:30:00+09:00"),
        ("Europe/Berlin", "2025-04-17T11:30:00+02:00"),
        ("UTC", "2025-04-17T09:30:00+00:00"),
    ],
)
def test_times_carry_the_event_zone_offset_to_the_second(v2, mlct, zone, expected):
    event = past_event(group=mlct, time_zone=zone, starts_at=TOKYO_EVENING.replace(microsecond=7))
    item = v2.json(URL, {"event_id": event.pk})["events"][0]
    assert item["started_at"] == expected


def test_limit_accepted_and_waiting_come_from_the_registration_core(v2, mlct):
    event = EventFactory(group=mlct)
    general = frame(event, capacity=2)
    register(general, 3, "general")  # 2 accepted, 1 waitlisted
    lottery = frame(event, capacity=5, method=Method.LOTTERY, name="Lottery")
    register(lottery, 2, "lottery")  # applicants before the draw: waiting
    speakers = frame(event, capacity=3, name="LT", requires_talk=False)
    register(speakers, 1, "lt")

    item = v2.json(URL, {"event_id": event.pk})["events"][0]

    assert item["limit"] == 10
    assert item["accepted"] == 3
    assert item["waiting"] == 3


def test_cancelled_registrations_are_not_counted(v2, mlct):
    from kaisai.registrations.services import cancel_registration

    event = EventFactory(group=mlct)
    general = frame(event, capacity=1)
    first, second, third = register(general, 3, "p")
    cancel_registration(registration=first, by=first.user)  # second is promoted
    cancel_registration(registration=third, by=third.user)

    item = v2.json(URL, {"event_id": event.pk})["events"][0]
    assert (item["limit"], item["accepted"], item["waiting"]) == (1, 1, 0)


# --- open_status --------------------------------------------------------------------------


def status_of(v2, event) -> str:
    return v2.json(URL, {"event_id": event.pk})["events"][0]["open_status"]


def test_open_status_open_while_a_frame_takes_registrations(v2, mlct):
    event = EventFactory(group=mlct)
    frame(event, capacity=10)
    assert status_of(v2, event) == "open"


def test_open_status_open_also_when_full_the_waitlist_takes_registrations(v2, mlct):
    event = EventFactory(group=mlct)
    register(frame(event, capacity=1), 2, "p")
    assert status_of(v2, event) == "open"


def test_open_status_preopen_before_any_frame_opens(v2, mlct):
    event = EventFactory(group=mlct)
    frame(event, capacity=10, opens_at=timezone.now() + timedelta(days=1))
    assert status_of(v2, event) == "preopen"


def test_open_status_preopen_for_an_upcoming_event_without_frames(v2, mlct):
    event = EventFactory(group=mlct)
    assert status_of(v2, event) == "preopen"


def test_open_status_close_after_registration_closed(v2, mlct):
    event = EventFactory(group=mlct)
    frame(event, capacity=10, closes_at=timezone.now() - timedelta(hours=1))
    assert status_of(v2, event) == "close"


def test_open_status_close_after_the_event(v2, mlct):
    event = past_event(group=mlct)
    assert status_of(v2, event) == "close"


def test_open_status_close_while_the_event_is_running(v2, mlct):
    event = EventFactory(
        group=mlct,
        starts_at=timezone.now() - timedelta(hours=1),
        ends_at=timezone.now() + timedelta(hours=1),
    )
    # registration closes at the start by default
    frame(event, capacity=10, opens_at=timezone.now() - timedelta(days=3))
    assert status_of(v2, event) == "close"


def test_open_status_cancelled(v2, mlct):
    event = EventFactory(group=mlct, status=EventStatus.CANCELLED)
    frame(event, capacity=10)
    assert status_of(v2, event) == "cancelled"


def test_open_status_close_when_postponed(v2, mlct):
    event = EventFactory(group=mlct, status=EventStatus.POSTPONED)
    frame(event, capacity=10)
    assert status_of(v2, event) == "close"


def test_drafts_are_never_listed(v2, mlct):
    draft = EventFactory(group=mlct, status=EventStatus.DRAFT)
    body = v2.json(URL, {"event_id": draft.pk})
    assert body["events"] == [] and body["results_available"] == 0


def test_registrations_of_a_moved_event_still_count(v2, mlct):
    event = EventFactory(group=mlct)
    register(frame(event, capacity=2), 3, "m")
    move_to(event, TOKYO_EVENING)
    item = v2.json(URL, {"event_id": event.pk})["events"][0]
    assert (item["open_status"], item["limit"], item["accepted"], item["waiting"]) == (
        "close",
        2,
        2,
        1,
    )


def test_descriptions_are_rendered_once_and_then_read_from_the_cache(v2, mlct):
    from django.core.cache import cache

    from kaisai.api.v2.representation import _markdown_key

    text = "Cached **description** " + str(timezone.now().timestamp())
    event = past_event(group=mlct, description=text)
    first = v2.json(URL, {"event_id": event.pk})["events"][0]["description"]
    assert cache.get(_markdown_key(text)) == first
    cache.set(_markdown_key(text), "<p>from the cache</p>")
    second = v2.json(URL, {"event_id": event.pk})["events"][0]["description"]
    assert second == "<p>from the cache</p>"
    cache.delete(_markdown_key(text))
