"""The timetable on the event page: what it shows, its queries, the cached fragment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaisai.events.enums import EventStatus
from kaisai.talks.enums import EntryKind, TalkState
from kaisai.talks.selectors_timetable import timetable_entries
from kaisai.talks.services.timetable import add_entry
from tests.conftest import login
from tests.talks.factories import TalkFactory, fill_timetable, timetable_event, timetable_talk


@pytest.fixture
def event(group):
    return timetable_event(group)


@pytest.fixture
def talk(event):
    return timetable_talk(event)


def test_event_page_shows_timetable(client, event, talk):
    add_entry(event=event, kind=EntryKind.DOORS)
    add_entry(event=event, kind=EntryKind.TALK, talk=talk)
    add_entry(event=event, kind=EntryKind.AFTERPARTY)
    withdrawn = TalkFactory(event=event, title="Withdrawn one")
    add_entry(event=event, kind=EntryKind.TALK, talk=withdrawn)
    withdrawn.state = TalkState.WITHDRAWN
    withdrawn.save()
    response = client.get(event.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Doors open" in html and "After-party" in html
    assert talk.title in html
    assert "Withdrawn one" not in html
    assert "19:30" in html and "20:00" in html  # doors 19:30 + 30 min → talk at 20:00
    assert reverse("accounts:profile", kwargs={"nickname": "speaker"}) in html
    assert reverse("talks:talk_ics", kwargs={"talk_id": talk.pk}) in html
    assert reverse("talks:frab_json", kwargs={"pk": event.pk}) in html
    assert reverse("talks:frab_xml", kwargs={"pk": event.pk}) in html


def test_event_page_without_entries_has_no_timetable(client, event):
    response = client.get(event.get_absolute_url())
    assert 'id="timetable"' not in response.content.decode()


def test_event_page_timetable_queries_do_not_grow(client, event):
    fill_timetable(event, 2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(event.get_absolute_url()).status_code == 200
    fill_timetable(event, 10)
    with CaptureQueriesContext(connection) as many:
        response = client.get(event.get_absolute_url())
    assert len(response.context["timetable"]) == 12
    assert len(many) == len(few)


def test_timetable_selector_two_queries(event, django_assert_num_queries):
    fill_timetable(event, 6)
    with django_assert_num_queries(2):
        entries = list(timetable_entries(event))
        names = [s.display_name for e in entries for s in e.talk.speakers.all()]
    assert len(names) == 12


def test_draft_event_page_hides_exports_from_organizer(client, event, organizer, talk):
    event.status = EventStatus.DRAFT
    event.save()
    add_entry(event=event, kind=EntryKind.TALK, talk=talk)
    login(client, organizer)
    html = client.get(event.get_absolute_url()).content.decode()
    assert talk.title in html
    assert reverse("talks:frab_json", kwargs={"pk": event.pk}) not in html


def test_event_page_timetable_fragment_follows_every_change(client, event, talk):
    """The rendered timetable is cached by a digest of what it shows: each change below is on
    the page at once."""
    entry = add_entry(event=event, kind=EntryKind.TALK, talk=talk)

    def page() -> str:
        response = client.get(event.get_absolute_url())
        assert response.status_code == 200
        return response.content.decode()

    html = page()
    assert talk.title in html and "19:30" in html
    talk.title = "A renamed talk"
    talk.save()
    assert "A renamed talk" in page()
    speaker = talk.speakers.get().user
    speaker.display_name = "Renamed Speaker"
    speaker.save()
    assert "Renamed Speaker" in page()
    entry.starts_at += timedelta(minutes=10)
    entry.save()
    assert "19:40" in page()
    event.time_zone = "UTC"
    event.save()
    assert "10:40" in page()  # 19:40 in Tokyo
    client.cookies["django_language"] = "ja"
    assert "タイムテーブル" in page()
