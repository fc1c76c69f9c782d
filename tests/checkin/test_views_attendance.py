"""Attendance: who may open the organizer pages, an event's attendance, attendance
histories of a member and of oneself."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kaisai.checkin import services
from kaisai.checkin.tickets import issue_ticket
from kaisai.events.models import Event
from kaisai.registrations import services as registrations
from tests.checkin.ticket_helpers import move, seat, url
from tests.conftest import login
from tests.factories import EventFactory, GroupFactory, UserFactory

pytestmark = pytest.mark.usefixtures("_fresh_rate_limits")


# --- organizer pages: who may open them ------------------------------------------------------


def organizer_urls(event, person) -> list[str]:
    return [
        url("attendance", pk=event.pk),
        url("attendance_code", pk=event.pk),
        url("member_attendance", slug=event.group.slug, nickname=person.nickname),
    ]


def test_organizer_pages_send_anonymous_users_to_login(client, event, user):
    for address in organizer_urls(event, user):
        response = client.get(address)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(url("attendance_code", pk=event.pk), {"code": "abcd"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_organizer_pages_are_forbidden_to_outsiders_reception_and_participants(
    client, event, accepted, outsider, reception_staff
):
    participant = accepted()[0].user
    for person in (outsider, reception_staff, participant):
        login(client, person)
        for address in organizer_urls(event, participant):
            assert client.get(address).status_code == 403, (person, address)
        response = client.post(url("attendance_code", pk=event.pk), {"code": "abcd"})
        assert response.status_code == 403
    assert Event.objects.get(pk=event.pk).attendance_code == ""


def test_organizer_pages_of_an_unknown_event_are_404(client, organizer):
    login(client, organizer)
    assert client.get(url("attendance", pk=999999)).status_code == 404
    assert client.get(url("attendance_code", pk=999999)).status_code == 404
    missing = url("member_attendance", slug="no-such-group", nickname="organizer")
    assert client.get(missing).status_code == 404


# --- attendance ------------------------------------------------------------------------------


def test_attendance_after_the_event_counts_no_shows(client, event, frame, accepted, organizer):
    people = accepted(3)
    registrations.register(frame=frame, user=UserFactory())  # waitlisted
    ticket = issue_ticket(people[0])
    services.check_in_ticket(event=event, token=ticket.token, by=organizer,
                             scanned_at=timezone.now() - timedelta(minutes=5))  # fmt: skip
    move(event, starts_in=-timedelta(hours=3))
    response = login(client, organizer).get(url("attendance", pk=event.pk))
    assert response.status_code == 200
    numbers = response.context["numbers"]
    assert (numbers["accepted"], numbers["waitlisted"], numbers["attended"]) == (3, 1, 1)
    assert numbers["no_show"] == 2
    html = response.content.decode()
    assert "33%" in html
    assert html.count('<tr class="no-show"') == 2
    assert "sent late" in html and organizer.name in html
    no_shows = client.get(url("attendance", pk=event.pk) + "?show=not_attended")
    assert {r.pk for r in no_shows.context["rows"]} == {people[1].pk, people[2].pk}


def test_attendance_before_the_event_has_no_no_shows_yet(client, event, accepted, organizer):
    accepted(2)
    response = login(client, organizer).get(url("attendance", pk=event.pk))
    assert response.context["numbers"]["no_show"] is None
    assert "Counted once the event has ended." in response.content.decode()


def _count_queries(client, address) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries)


def test_attendance_query_count_does_not_grow_with_rows(client, group, organizer):
    small, large = EventFactory(group=group), EventFactory(group=group)
    for event, count in ((small, 2), (large, 12)):
        rows = seat(event, organizer, count)
        for registration in rows[::2]:
            issue_ticket(registration)
            services.check_in(event=event, registration=registration, by=organizer,
                              method="search")  # fmt: skip
    login(client, organizer)
    _count_queries(client, url("attendance", pk=small.pk))  # warm caches
    assert _count_queries(client, url("attendance", pk=small.pk)) == _count_queries(
        client, url("attendance", pk=large.pk)
    )


# --- attendance histories --------------------------------------------------------------------


def test_member_attendance_shows_this_groups_events_to_its_organizers(
    client, group, organizer, outsider
):
    person = UserFactory(nickname="regular")
    came, missed = (
        EventFactory(group=group, title="Came"),
        EventFactory(group=group, title="Missed"),
    )
    elsewhere = EventFactory(group=GroupFactory(owner=outsider), title="Elsewhere")
    for event in (came, missed, elsewhere):
        frame = registrations.create_frame(event=event, by=organizer, capacity=5, name="G")
        registration = registrations.register(frame=frame, user=person)
        if event is not missed:
            services.check_in(event=event, registration=registration, by=None, method="search")
        move(event, starts_in=-timedelta(days=3))
    address = url("member_attendance", slug=group.slug, nickname=person.nickname)
    response = login(client, organizer).get(address)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Came" in html and "Missed" in html and "Elsewhere" not in html
    assert response.context["history"].rate == 0.5
    assert login(client, person).get(address).status_code == 403
    assert login(client, outsider).get(address).status_code == 403


def test_my_attendance_lists_my_events_across_groups_with_a_rate(client, group, organizer):
    person = UserFactory()
    events = [EventFactory(group=group), EventFactory(group=GroupFactory(owner=organizer))]
    upcoming = EventFactory(group=group, title="Next one")
    for event in [*events, upcoming]:
        frame = registrations.create_frame(event=event, by=organizer, capacity=5, name="G")
        registration = registrations.register(frame=frame, user=person)
        if event is events[0]:
            services.check_in(event=event, registration=registration, by=None, method="code")
    for event in events:
        move(event, starts_in=-timedelta(days=10))
    response = login(client, person).get(url("my_attendance"))
    assert response.status_code == 200
    history = response.context["history"]
    assert (history.attended, history.no_show, history.upcoming) == (1, 1, 1)
    assert "50%" in response.content.decode()
    assert "Next one" in response.content.decode()


def test_my_attendance_query_count_does_not_grow_with_rows(client, organizer):
    few, many = UserFactory(), UserFactory()
    group = GroupFactory(owner=organizer)
    for person, count in ((few, 2), (many, 12)):
        for _ in range(count):
            event = EventFactory(group=group)
            frame = registrations.create_frame(event=event, by=organizer, capacity=5, name="G")
            registrations.register(frame=frame, user=person)
    assert _count_queries(login(client, few), url("my_attendance")) == _count_queries(
        login(client, many), url("my_attendance")
    )
