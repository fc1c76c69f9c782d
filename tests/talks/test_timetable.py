"""The timetable: service rules, the organizers' editor (and who may use it), the event page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaisai.groups.enums import Role
from kaisai.talks.enums import EntryKind, TalkState
from kaisai.talks.models import TimetableEntry
from kaisai.talks.services.timetable import (
    TimetableError,
    add_entry,
    delete_entry,
    next_start,
    update_entry,
)
from tests.conftest import login
from tests.factories import EventFactory, OrganizerFactory, UserFactory
from tests.talks.factories import (
    TalkFactory,
    TimetableEntryFactory,
    fill_timetable,
    timetable_event,
    timetable_talk,
)


@pytest.fixture
def event(group):
    return timetable_event(group)


@pytest.fixture
def talk(event):
    return timetable_talk(event)


def url(event) -> str:
    return reverse("talks:timetable_edit", kwargs={"pk": event.pk})


# --- service ---------------------------------------------------------------------------------


def test_add_talk_defaults_to_event_start_and_talk_duration(event, talk):
    entry = add_entry(event=event, kind=EntryKind.TALK, talk=talk)
    assert entry.starts_at == event.starts_at
    assert entry.duration == 25
    assert entry.talk == talk


def test_add_entry_defaults_to_end_of_previous_entry(event, talk):
    add_entry(event=event, kind=EntryKind.DOORS, duration=15)
    entry = add_entry(event=event, kind=EntryKind.TALK, talk=talk)
    assert entry.starts_at == event.starts_at + timedelta(minutes=15)
    brk = add_entry(event=event, kind=EntryKind.BREAK)
    assert brk.starts_at == event.starts_at + timedelta(minutes=40)
    assert brk.duration == 10


def test_next_start_is_latest_end_not_latest_start(event):
    TimetableEntryFactory(event=event, starts_at=event.starts_at, duration=60)
    TimetableEntryFactory(
        event=event, starts_at=event.starts_at + timedelta(minutes=10), duration=5
    )
    assert next_start(event) == event.starts_at + timedelta(minutes=60)


def test_afterparty_prefilled_from_event(event, talk):
    add_entry(event=event, kind=EntryKind.TALK, talk=talk)
    entry = add_entry(event=event, kind=EntryKind.AFTERPARTY)
    assert entry.starts_at == event.afterparty_starts_at
    assert entry.duration == 120


def test_afterparty_without_announced_time_follows_the_timetable(event, talk):
    event.afterparty_starts_at = None
    event.save()
    add_entry(event=event, kind=EntryKind.TALK, talk=talk)
    entry = add_entry(event=event, kind=EntryKind.AFTERPARTY)
    assert entry.starts_at == event.starts_at + timedelta(minutes=25)


@pytest.mark.parametrize("state", [TalkState.PROPOSED, TalkState.REJECTED, TalkState.WITHDRAWN])
def test_only_accepted_talks_can_be_scheduled(event, state):
    talk = TalkFactory(event=event, state=state)
    with pytest.raises(TimetableError) as info:
        add_entry(event=event, kind=EntryKind.TALK, talk=talk)
    assert "talk" in info.value.error_dict
    assert not TimetableEntry.objects.exists()


def test_talk_of_another_event_is_refused(event):
    other = TalkFactory()
    with pytest.raises(TimetableError):
        add_entry(event=event, kind=EntryKind.TALK, talk=other)
    assert not TimetableEntry.objects.exists()


def test_talk_cannot_be_scheduled_twice(event, talk):
    add_entry(event=event, kind=EntryKind.TALK, talk=talk)
    with pytest.raises(TimetableError):
        add_entry(event=event, kind=EntryKind.TALK, talk=talk)
    assert TimetableEntry.objects.count() == 1


def test_talk_entry_needs_a_talk_and_others_none(event, talk):
    with pytest.raises(TimetableError):
        add_entry(event=event, kind=EntryKind.TALK)
    with pytest.raises(TimetableError):
        add_entry(event=event, kind=EntryKind.BREAK, talk=talk)
    with pytest.raises(TimetableError):
        add_entry(event=event, kind=EntryKind.OTHER)  # "other" needs a title
    assert not TimetableEntry.objects.exists()


@pytest.mark.parametrize(
    ("offset", "duration"),
    [
        (timedelta(hours=-13), 10),  # long before the event
        (timedelta(hours=15), 10),  # long after it ended
        (timedelta(hours=14), 60),  # starts inside, ends outside the window
        (timedelta(0), -1),
        (timedelta(0), 24 * 60 + 1),
    ],
)
def test_times_outside_window_or_bad_duration_refused(event, offset, duration):
    with pytest.raises(TimetableError):
        add_entry(
            event=event, kind=EntryKind.BREAK, starts_at=event.starts_at + offset, duration=duration
        )
    assert not TimetableEntry.objects.exists()


def test_zero_duration_allowed(event):
    entry = add_entry(event=event, kind=EntryKind.DOORS, duration=0)
    assert entry.duration == 0


def test_update_and_delete_entry(event, talk):
    entry = add_entry(event=event, kind=EntryKind.TALK, talk=talk)
    later = event.starts_at + timedelta(minutes=30)
    update_entry(entry=entry, starts_at=later, duration=15, title="Opening", room="Hall A")
    entry.refresh_from_db()
    assert (entry.starts_at, entry.duration, entry.title, entry.room) == (
        later,
        15,
        "Opening",
        "Hall A",
    )
    with pytest.raises(TimetableError):
        update_entry(entry=entry, starts_at=later + timedelta(days=2), duration=15)
    entry.refresh_from_db()
    assert entry.starts_at == later
    delete_entry(entry=entry)
    assert not TimetableEntry.objects.exists()
    talk.refresh_from_db()  # the talk stays; it is unscheduled again
    assert talk.state == TalkState.ACCEPTED


# --- the organizers' page --------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, event):
    response = client.get(url(event))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    response = client.post(url(event), {"action": "add", "kind": "break"})
    assert response.status_code == 302
    assert not TimetableEntry.objects.exists()


@pytest.mark.parametrize("who", ["outsider", "plain", "reception"])
def test_others_are_refused(client, event, talk, outsider, who):
    person = {
        "outsider": outsider,
        "plain": UserFactory(),
        "reception": OrganizerFactory(group=event.group, role=Role.RECEPTION).user,
    }[who]
    login(client, person)
    assert client.get(url(event)).status_code == 403
    response = client.post(url(event), {"action": "add", "kind": "talk", "talk": talk.pk})
    assert response.status_code == 403
    entry = TimetableEntryFactory(event=event)
    response = client.post(url(event), {"action": "delete", "entry": entry.pk})
    assert response.status_code == 403
    assert TimetableEntry.objects.filter(pk=entry.pk).exists()


def test_organizer_sees_unscheduled_talks(client, event, organizer, talk):
    TalkFactory(event=event, title="Still proposed", state=TalkState.PROPOSED)
    login(client, organizer)
    response = client.get(url(event))
    assert response.status_code == 200
    assert response.context["unscheduled"] == [talk]
    assert list(response.context["add_form"].fields["talk"].queryset) == [talk]
    assert "Still proposed" not in response.content.decode()


def test_organizer_adds_talk_in_event_time_zone(client, event, organizer, talk):
    login(client, organizer)
    response = client.post(
        url(event),
        {"action": "add", "kind": "talk", "talk": talk.pk, "starts_at": "2030-05-17T19:45"},
    )
    assert response.status_code == 302
    entry = TimetableEntry.objects.get()
    assert entry.starts_at == datetime(2030, 5, 17, 10, 45, tzinfo=UTC)  # 19:45 in Tokyo
    assert entry.duration == 25
    page = client.get(url(event))
    assert page.context["unscheduled"] == []
    assert "19:45" in page.content.decode()


def test_organizer_adds_break_with_defaults(client, event, organizer):
    login(client, organizer)
    response = client.post(url(event), {"action": "add", "kind": "break", "title": "Drinks"})
    assert response.status_code == 302
    entry = TimetableEntry.objects.get()
    assert (entry.kind, entry.title, entry.starts_at) == ("break", "Drinks", event.starts_at)


def test_bad_input_shows_field_errors_and_saves_nothing(client, event, organizer, talk):
    login(client, organizer)
    response = client.post(url(event), {"action": "add", "kind": "talk"})
    assert response.status_code == 400
    assert response.context["add_form"].errors["talk"]
    response = client.post(
        url(event),
        {"action": "add", "kind": "talk", "talk": talk.pk, "starts_at": "2030-05-20T19:00"},
    )
    assert response.status_code == 400
    assert response.context["add_form"].errors["starts_at"]
    response = client.post(
        url(event), {"action": "add", "kind": "break", "duration": "-5", "starts_at": "soon"}
    )
    assert response.status_code == 400
    assert set(response.context["add_form"].errors) >= {"duration", "starts_at"}
    assert not TimetableEntry.objects.exists()


def test_japanese_errors(client, event, organizer):
    login(client, organizer)
    response = client.post(url(event), {"action": "add", "kind": "talk"}, HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 400
    assert response.context["add_form"].errors["talk"]


def test_organizer_edits_and_removes_entry(client, event, organizer, talk):
    entry = add_entry(event=event, kind=EntryKind.TALK, talk=talk)
    login(client, organizer)
    page = client.get(url(event), {"edit": entry.pk})
    assert page.status_code == 200
    assert page.context["edit_form"].initial["starts_at"] == datetime(2030, 5, 17, 19, 30)
    response = client.post(
        url(event),
        {
            "action": "edit",
            "entry": entry.pk,
            "starts_at": "2030-05-17T20:00",
            "duration": "30",
            "room": "Hall A",
        },
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.starts_at == datetime(2030, 5, 17, 11, 0, tzinfo=UTC)
    assert (entry.duration, entry.room) == (30, "Hall A")
    bad = client.post(
        url(event),
        {"action": "edit", "entry": entry.pk, "starts_at": "2030-05-17T20:00", "duration": ""},
    )
    assert bad.status_code == 400
    assert bad.context["edit_form"].errors["duration"]
    response = client.post(url(event), {"action": "delete", "entry": entry.pk})
    assert response.status_code == 302
    assert not TimetableEntry.objects.exists()


def test_entry_of_another_event_is_404(client, event, organizer):
    other = TimetableEntryFactory(event=EventFactory(group=event.group))
    login(client, organizer)
    assert client.post(url(event), {"action": "delete", "entry": other.pk}).status_code == 404
    assert client.post(url(event), {"action": "delete", "entry": "x"}).status_code == 404
    assert client.get(url(event), {"edit": other.pk}).status_code == 404
    assert TimetableEntry.objects.filter(pk=other.pk).exists()


def test_unknown_action_is_400(client, event, organizer):
    login(client, organizer)
    assert client.post(url(event), {"action": "explode"}).status_code == 400


def test_get_never_changes_anything(client, event, organizer, talk):
    login(client, organizer)
    client.get(url(event), {"action": "add", "kind": "talk", "talk": talk.pk})
    assert not TimetableEntry.objects.exists()


def test_organizer_page_queries_do_not_grow(client, event, organizer):
    login(client, organizer)
    fill_timetable(event, 2)
    TalkFactory(event=event, speaker=UserFactory())
    with CaptureQueriesContext(connection) as few:
        client.get(url(event))
    fill_timetable(event, 10)
    for _n in range(5):
        TalkFactory(event=event, speaker=UserFactory())
    with CaptureQueriesContext(connection) as many:
        client.get(url(event))
    assert len(many) == len(few)
