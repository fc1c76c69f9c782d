"""The frab schedule export: validated against the schemas in tests/talks/schemas/ (JSON Schema
and XSD after the C3VOC validator), in both formats, in the event's time zone."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET  # noqa: N817

import jsonschema
import pytest
import xmlschema
from django.urls import reverse

from kaisai.events.enums import EventStatus, VenueKind
from kaisai.groups.enums import Role
from kaisai.groups.models import Organizer
from kaisai.talks.enums import EntryKind, MaterialKind, TalkKind, TalkLanguage, TalkState
from kaisai.talks.models import Speaker
from kaisai.talks.services.timetable import add_entry
from tests.conftest import login
from tests.factories import EventFactory, GroupFactory, UserFactory
from tests.talks.factories import MaterialFactory, TalkFactory

SCHEMAS = Path(__file__).parent / "schemas"
JSON_SCHEMA = json.loads((SCHEMAS / "frab_schedule.schema.json").read_text())
XSD = xmlschema.XMLSchema(str(SCHEMAS / "frab_schedule.xsd"))
STARTS = datetime(2030, 5, 17, 10, 30, tzinfo=UTC)  # 19:30 in Tokyo


FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value) -> bool:
    """RFC 3339: a date, "T", a time and an offset (jsonschema checks it only with extras)."""
    parsed = datetime.fromisoformat(value)
    return "T" in value and parsed.tzinfo is not None


@FORMATS.checks("uri")
def _uri(value) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def validate_json(data) -> None:
    jsonschema.validate(data, JSON_SCHEMA, format_checker=FORMATS)


def test_format_checks_bite():
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate("2030-05-17T19:30:00", {"format": "date-time"}, format_checker=FORMATS)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate("/relative", {"format": "uri"}, format_checker=FORMATS)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate("2030-5-1", {"format": "date"}, format_checker=FORMATS)


@pytest.fixture
def event(db):
    group = GroupFactory(slug="ml-casual-talks")
    return EventFactory(
        group=group,
        number=5,
        title="MLCT #5",
        starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=2, minutes=30),
        time_zone="Asia/Tokyo",
        place="Sponsor Inc. 10F",
    )


@pytest.fixture
def scheduled(event):
    """A talk by a user and a guest with slides, an LT that may not be recorded, a break."""
    speaker = UserFactory(nickname="speaker", display_name="Hanako")
    talk = TalkFactory(
        event=event,
        title="Lottery math for meetups",
        abstract="Why **100** seats.",
        duration=25,
        language=TalkLanguage.JA,
        speaker=speaker,
    )
    Speaker.objects.create(talk=talk, name="Guest Person", order=1)
    MaterialFactory(talk=talk, url="https://speakerdeck.com/x/lottery", title="Slides")
    lt = TalkFactory(
        event=event,
        title="小さなLT",
        kind=TalkKind.LT,
        duration=5,
        language=TalkLanguage.EN,
        consent_record=False,
        speaker=UserFactory(),
    )
    add_entry(event=event, kind=EntryKind.TALK, talk=talk)
    add_entry(event=event, kind=EntryKind.BREAK)
    add_entry(event=event, kind=EntryKind.TALK, talk=lt, room="Room B")
    return talk, lt


def get_json(client, event):
    response = client.get(reverse("talks:frab_json", kwargs={"pk": event.pk}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def get_xml(client, event) -> bytes:
    response = client.get(reverse("talks:frab_xml", kwargs={"pk": event.pk}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return response.content


def events_of(data) -> list[dict]:
    return [
        item
        for day in data["schedule"]["conference"]["days"]
        for items in day["rooms"].values()
        for item in items
    ]


def test_json_is_valid_and_complete(client, scheduled, event, settings):
    talk, lt = scheduled
    data = get_json(client, event)
    validate_json(data)
    schedule = data["schedule"]
    assert schedule["base_url"] == settings.BASE_URL + "/"
    conference = schedule["conference"]
    assert conference["acronym"] == "ml_casual_talks_5"
    assert conference["title"] == "MLCT #5"
    assert (conference["start"], conference["end"], conference["daysCount"]) == (
        "2030-05-17",
        "2030-05-17",
        1,
    )
    assert conference["time_zone_name"] == "Asia/Tokyo"
    assert [room["name"] for room in conference["rooms"]] == ["Sponsor Inc. 10F", "Room B"]
    day = conference["days"][0]
    assert day["day_start"] == "2030-05-17T19:30:00+09:00"
    assert day["day_end"] == "2030-05-17T22:00:00+09:00"
    items = events_of(data)
    assert [item["title"] for item in items] == ["Lottery math for meetups", "小さなLT"]
    first, second = items
    assert first["id"] == talk.pk
    assert first["guid"] == str(
        uuid.uuid5(uuid.NAMESPACE_URL, settings.BASE_URL + f"/talks/{talk.pk}/")
    )
    assert first["date"] == "2030-05-17T19:30:00+09:00"
    assert (first["start"], first["duration"]) == ("19:30", "00:25")
    assert first["room"] == "Sponsor Inc. 10F"
    assert first["url"] == settings.BASE_URL + reverse("talks:detail", kwargs={"talk_id": talk.pk})
    assert first["abstract"] == "Why **100** seats."
    assert first["language"] == "ja"
    assert first["type"] == "talk"
    assert first["do_not_record"] is False
    assert [p["public_name"] for p in first["persons"]] == ["Hanako", "Guest Person"]
    assert first["persons"][0]["id"] == talk.speakers.first().user_id
    assert "id" not in first["persons"][1]  # a guest has no account id
    assert first["links"] == [
        {"url": "https://speakerdeck.com/x/lottery", "title": "Slides", "type": "slides"}
    ]
    # The break pushes the LT: 19:30 + 25 + 10 = 20:05.
    assert (second["start"], second["duration"], second["room"]) == ("20:05", "00:05", "Room B")
    assert second["type"] == "lightning_talk"
    assert second["do_not_record"] is True
    assert second["slug"].startswith("ml_casual_talks_5-")


def test_xsd_bites(client, scheduled, event):
    content = get_xml(client, event)
    assert XSD.is_valid(content.decode())
    assert not XSD.is_valid(content.decode().replace('guid="', 'uuid="', 1))
    assert not XSD.is_valid(content.decode().replace("+09:00</date>", "</date>", 1))


def test_xml_is_valid_and_matches_json(client, scheduled, event):
    talk, lt = scheduled
    content = get_xml(client, event)
    XSD.validate(content)
    root = ET.fromstring(content)  # noqa: S314 - our own output
    assert root.findtext("conference/acronym") == "ml_casual_talks_5"
    assert root.findtext("conference/time_zone_name") == "Asia/Tokyo"
    assert root.findtext("version") == get_json(client, event)["schedule"]["version"]
    events = root.findall("day/room/event")
    assert [e.findtext("title") for e in events] == ["Lottery math for meetups", "小さなLT"]
    first, second = events
    assert first.get("id") == str(talk.pk)
    assert first.findtext("date") == "2030-05-17T19:30:00+09:00"
    assert first.findtext("start") == "19:30"
    assert first.findtext("recording/optout") == "false"
    assert second.findtext("recording/optout") == "true"
    assert [p.text for p in first.findall("persons/person")] == ["Hanako", "Guest Person"]
    assert first.find("links/link").get("href") == "https://speakerdeck.com/x/lottery"
    assert root.find("day").get("start") == "2030-05-17T19:30:00+09:00"


def test_other_time_zone_and_days(client, db):
    # 23:00–01:00 in Berlin (summer time, +02:00): two days; a talk after midnight.
    starts = datetime(2030, 7, 1, 21, 0, tzinfo=UTC)
    event = EventFactory(
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        time_zone="Europe/Berlin",
        venue_kind=VenueKind.ONLINE,
        place="",
    )
    late = TalkFactory(event=event, duration=30)
    add_entry(event=event, kind=EntryKind.TALK, talk=late, starts_at=starts + timedelta(hours=1))
    data = get_json(client, event)
    validate_json(data)
    conference = data["schedule"]["conference"]
    assert conference["time_zone_name"] == "Europe/Berlin"
    assert (conference["start"], conference["end"], conference["daysCount"]) == (
        "2030-07-01",
        "2030-07-02",
        2,
    )
    first_day, second_day = conference["days"]
    assert first_day["rooms"] == {"Online": []}
    assert first_day["day_start"] == "2030-07-01T23:00:00+02:00"
    item = second_day["rooms"]["Online"][0]
    assert item["date"] == "2030-07-02T00:00:00+02:00"
    assert item["start"] == "00:00"
    XSD.validate(get_xml(client, event))


def test_empty_timetable_is_still_valid(client, event):
    data = get_json(client, event)
    validate_json(data)
    assert events_of(data) == []
    XSD.validate(get_xml(client, event))


def test_only_accepted_talks(client, scheduled, event):
    talk, lt = scheduled
    lt.state = TalkState.WITHDRAWN
    lt.save()
    TalkFactory(event=event, state=TalkState.PROPOSED)  # never on the timetable
    assert [item["id"] for item in events_of(get_json(client, event))] == [talk.pk]


def test_version_changes_with_the_schedule(client, scheduled, event):
    talk, lt = scheduled
    before = get_json(client, event)["schedule"]["version"]
    assert get_json(client, event)["schedule"]["version"] == before
    talk.title = "Renamed"
    talk.save()
    assert get_json(client, event)["schedule"]["version"] != before


@pytest.mark.parametrize("name", ["talks:frab_json", "talks:frab_xml"])
def test_draft_is_404_even_for_organizers(client, event, name):
    event.status = EventStatus.DRAFT
    event.save()
    organizer = UserFactory()
    Organizer.objects.create(group=event.group, user=organizer, role=Role.OWNER)
    login(client, organizer)
    assert client.get(reverse(name, kwargs={"pk": event.pk})).status_code == 404
    assert client.get(reverse(name, kwargs={"pk": 999999})).status_code == 404


def test_cancelled_event_still_exports(client, scheduled, event):
    event.status = EventStatus.CANCELLED
    event.save()
    validate_json(get_json(client, event))


def test_export_queries_do_not_grow(client, event, django_assert_max_num_queries):
    def fill(count):
        for _n in range(count):
            talk = TalkFactory(event=event, speaker=UserFactory())
            MaterialFactory(talk=talk, kind=MaterialKind.SLIDE)
            add_entry(event=event, kind=EntryKind.TALK, talk=talk)

    fill(2)
    with django_assert_max_num_queries(6):
        get_json(client, event)
    fill(10)
    with django_assert_max_num_queries(6):
        data = get_json(client, event)
    assert len(events_of(data)) == 12
    validate_json(data)
