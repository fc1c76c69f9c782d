"""Attendance code (set by organizers) and self check-in with it (online events)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kaisai.checkin import services
from kaisai.checkin.models import CheckIn
from kaisai.events.enums import VenueKind
from kaisai.events.models import Event
from tests.checkin.ticket_helpers import move, seat, url
from tests.conftest import login
from tests.factories import EventFactory

pytestmark = pytest.mark.usefixtures("_fresh_rate_limits")


# --- attendance code and self check-in ------------------------------------------------------


def test_organizer_sets_and_clears_the_attendance_code(client, event, organizer):
    login(client, organizer)
    page = client.get(url("attendance_code", pk=event.pk))
    assert page.status_code == 200
    assert not Event.objects.get(pk=event.pk).attendance_code  # a suggestion is not saved
    response = client.post(url("attendance_code", pk=event.pk), {"code": "MLCT-5"})
    assert response.status_code == 302
    assert Event.objects.get(pk=event.pk).attendance_code == "MLCT-5"
    assert "MLCT-5" in client.get(url("attendance_code", pk=event.pk)).content.decode()
    client.post(url("attendance_code", pk=event.pk), {"code": "MLCT-5", "clear": "1"})
    assert Event.objects.get(pk=event.pk).attendance_code == ""


def test_attendance_code_too_short_shows_error_and_saves_nothing(client, event, organizer):
    login(client, organizer)
    response = client.post(url("attendance_code", pk=event.pk), {"code": "abc"})
    assert response.status_code == 400
    assert "Use 4 to 32 characters" in response.content.decode()
    assert Event.objects.get(pk=event.pk).attendance_code == ""


@pytest.fixture
def online_event(group, organizer):
    event = EventFactory(group=group, venue_kind=VenueKind.ONLINE)
    return event


def test_self_check_in_within_the_window(client, online_event, organizer):
    registration = seat(online_event, organizer, 1)[0]
    services.set_attendance_code(event=online_event, code="MLCT2026", by=organizer)
    move(online_event, starts_in=timedelta(minutes=30))
    login(client, registration.user)
    page = client.get(url("self_check_in", pk=online_event.pk))
    assert page.status_code == 200 and 'name="code"' in page.content.decode()
    wrong = client.post(url("self_check_in", pk=online_event.pk), {"code": "nope"})
    assert wrong.status_code == 400 and "That code is not right." in wrong.content.decode()
    assert not CheckIn.objects.exists()
    response = client.post(url("self_check_in", pk=online_event.pk), {"code": "mlct2026"})
    assert response.status_code == 302
    checkin = CheckIn.objects.get(registration=registration)
    assert checkin.method == CheckIn.Method.CODE and checkin.by == registration.user
    assert "You are checked in" in client.get(response["Location"]).content.decode()


def test_self_check_in_outside_the_window(client, online_event, organizer):
    registration = seat(online_event, organizer, 1)[0]
    services.set_attendance_code(event=online_event, code="MLCT2026", by=organizer)
    move(online_event, starts_in=timedelta(hours=3))
    login(client, registration.user)
    page = client.get(url("self_check_in", pk=online_event.pk))
    assert "Checking in opens on" in page.content.decode()
    assert 'name="code"' not in page.content.decode()
    response = client.post(url("self_check_in", pk=online_event.pk), {"code": "MLCT2026"})
    assert response.status_code == 400
    assert "from 2 hours before the start" in response.content.decode()
    move(online_event, starts_in=-timedelta(hours=3))
    response = client.post(url("self_check_in", pk=online_event.pk), {"code": "MLCT2026"})
    assert response.status_code == 400
    assert not CheckIn.objects.exists()


def test_self_check_in_error_in_the_users_language(client, online_event, organizer):
    registration = seat(online_event, organizer, 1)[0]
    services.set_attendance_code(event=online_event, code="MLCT2026", by=organizer)
    move(online_event, starts_in=timedelta(minutes=10))
    registration.user.preferred_language = "ja"
    registration.user.save()
    login(client, registration.user)
    response = client.post(url("self_check_in", pk=online_event.pk), {"code": "nope"})
    assert response.status_code == 400
    assert '<html lang="ja">' in response.content.decode()


def test_self_check_in_wrong_codes_are_rate_limited(client, online_event, organizer):
    registration = seat(online_event, organizer, 1)[0]
    services.set_attendance_code(event=online_event, code="MLCT2026", by=organizer)
    move(online_event, starts_in=timedelta(minutes=10))
    login(client, registration.user)
    for n in range(10):
        client.post(url("self_check_in", pk=online_event.pk), {"code": f"wrong{n}"})
    response = client.post(url("self_check_in", pk=online_event.pk), {"code": "MLCT2026"})
    assert response.status_code == 429
    assert not CheckIn.objects.exists()


def test_self_check_in_without_a_seat_is_refused(client, online_event, organizer, user):
    services.set_attendance_code(event=online_event, code="MLCT2026", by=organizer)
    move(online_event, starts_in=timedelta(minutes=10))
    login(client, user)
    page = client.get(url("self_check_in", pk=online_event.pk))
    assert "no accepted registration" in page.content.decode()
    response = client.post(url("self_check_in", pk=online_event.pk), {"code": "MLCT2026"})
    assert response.status_code == 400 and not CheckIn.objects.exists()


def test_event_page_links_ticket_and_self_check_in(client, online_event, organizer):
    registration = seat(online_event, organizer, 1)[0]
    login(client, registration.user)
    html = client.get(online_event.get_absolute_url()).content.decode()
    assert url("ticket", pk=online_event.pk) in html
    assert url("self_check_in", pk=online_event.pk) not in html  # no code yet
    services.set_attendance_code(event=online_event, code="MLCT2026", by=organizer)
    html = client.get(online_event.get_absolute_url()).content.decode()
    assert url("self_check_in", pk=online_event.pk) in html
