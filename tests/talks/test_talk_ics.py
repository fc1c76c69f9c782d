"""A scheduled talk as a calendar entry: /talks/<id>/talk.ics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from django.urls import reverse

from kaisai.events.enums import EventStatus
from kaisai.talks.enums import EntryKind, TalkState
from kaisai.talks.models import Speaker
from kaisai.talks.services.timetable import add_entry
from tests.factories import EventFactory, UserFactory
from tests.talks.factories import TalkFactory

STARTS = datetime(2030, 5, 17, 10, 30, tzinfo=UTC)


@pytest.fixture
def event(db):
    return EventFactory(
        title="MLCT #5",
        starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=2),
        time_zone="Asia/Tokyo",
        place="Sponsor Inc. 10F",
    )


@pytest.fixture
def talk(event):
    talk = TalkFactory(
        event=event,
        title="Lottery math",
        abstract="Why **100** seats.",
        duration=25,
        speaker=UserFactory(nickname="hanako", display_name="Hanako"),
    )
    Speaker.objects.create(talk=talk, name="Guest Person", order=1)
    return talk


def ics_url(talk) -> str:
    return reverse("talks:talk_ics", kwargs={"talk_id": talk.pk})


def test_scheduled_talk_as_ics(client, event, talk, settings):
    add_entry(
        event=event,
        kind=EntryKind.TALK,
        talk=talk,
        starts_at=STARTS + timedelta(minutes=15),
        room="Hall A",
    )
    response = client.get(ics_url(talk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert f'filename="talk-{talk.pk}.ics"' in response["Content-Disposition"]
    calendar = icalendar.Calendar.from_ical(response.content)
    (vevent,) = calendar.walk("VEVENT")
    assert vevent.decoded("dtstart") == STARTS + timedelta(minutes=15)
    assert vevent.decoded("dtend") == STARTS + timedelta(minutes=40)
    assert str(vevent["summary"]) == "Lottery math (Hanako, Guest Person)"
    assert str(vevent["uid"]).startswith(f"talk-{talk.pk}@")
    assert "Hall A" in str(vevent["location"]) and "Sponsor Inc. 10F" in str(vevent["location"])
    assert str(vevent["url"]) == settings.BASE_URL + f"/talks/{talk.pk}/"
    description = str(vevent["description"])
    assert "MLCT #5" in description and "Why 100 seats." in description
    assert str(vevent["status"]) == "CONFIRMED"


def test_unscheduled_talk_is_404(client, talk):
    assert client.get(ics_url(talk)).status_code == 404


def test_unknown_talk_is_404(client, db):
    assert client.get(reverse("talks:talk_ics", kwargs={"talk_id": 999999})).status_code == 404


def test_withdrawn_talk_is_404(client, event, talk):
    add_entry(event=event, kind=EntryKind.TALK, talk=talk)
    talk.state = TalkState.WITHDRAWN
    talk.save()
    assert client.get(ics_url(talk)).status_code == 404


def test_talk_of_draft_event_is_404(client, event, talk):
    add_entry(event=event, kind=EntryKind.TALK, talk=talk)
    event.status = EventStatus.DRAFT
    event.save()
    assert client.get(ics_url(talk)).status_code == 404


def test_cancelled_event_marks_talk_cancelled(client, event, talk):
    add_entry(event=event, kind=EntryKind.TALK, talk=talk)
    event.status = EventStatus.CANCELLED
    event.save()
    calendar = icalendar.Calendar.from_ical(client.get(ics_url(talk)).content)
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["status"]) == "CANCELLED"
