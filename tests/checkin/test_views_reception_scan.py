"""Reception: checking in by scanning a ticket's QR code (online and offline)."""

from __future__ import annotations

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from kaisai.checkin.models import CheckIn
from kaisai.checkin.tickets import issue_ticket
from kaisai.registrations import services as registrations
from tests.checkin.reception_helpers import scan, url
from tests.conftest import login
from tests.factories import EventFactory, OrganizerFactory, UserFactory

pytestmark = pytest.mark.usefixtures("_fresh_rate_limits")


# --- scan ----------------------------------------------------------------------------------


def test_scan_checks_in_and_answers_with_the_person(staff_client, event, accepted, reception_staff):
    registration = accepted(2)[0]
    ticket = issue_ticket(registration)
    response = scan(staff_client, event, ticket.token, nonce="n-1")
    data = response.json()
    assert response.status_code == 200
    assert data["result"] == "checked_in" and data["reason"] == ""
    person = data["person"]
    assert person["name"] == registration.user.name
    assert person["nickname"] == registration.user.nickname
    assert person["frame"] == "General" and person["receipt_number"] == ticket.receipt_number
    checkin = CheckIn.objects.get()
    assert checkin.registration == registration and checkin.by == reception_staff
    assert checkin.method == "scan" and checkin.nonce  # stored scoped to the event
    local = timezone.localtime(checkin.checked_in_at, ZoneInfo(event.time_zone))
    assert data["checked_in_at"] == local.strftime("%H:%M")
    assert data["by"] == reception_staff.name
    assert data["counter"] == {"checked_in": 1, "accepted": 2}


def test_scan_accepts_the_whole_ticket_url(staff_client, event, accepted, settings):
    ticket = issue_ticket(accepted()[0])
    response = scan(staff_client, event, f"{settings.BASE_URL}/t/{ticket.token}/")
    assert response.json()["result"] == "checked_in"


def test_second_scan_says_already_checked_in_at_time_by_name(client, event, accepted, organizer):
    ticket = issue_ticket(accepted()[0])
    login(client, organizer)
    first = scan(client, event, ticket.token, nonce="a").json()
    second_device = login(Client(), OrganizerFactory(group=event.group).user)
    response = scan(second_device, event, ticket.token, nonce="b")
    data = response.json()
    assert response.status_code == 200 and data["result"] == "already"
    assert data["checked_in_at"] == first["checked_in_at"] and data["by"] == organizer.name
    assert data["message"] == (
        f"Already checked in at {first['checked_in_at']} by {organizer.name}."
    )
    assert CheckIn.objects.count() == 1


def test_scan_of_another_events_ticket_is_409_and_checks_in_nobody(
    staff_client, event, group, organizer
):
    other = EventFactory(group=group)
    frame = registrations.create_frame(event=other, by=organizer, capacity=5, name="General")
    stranger = registrations.register(frame=frame, user=UserFactory(display_name="Hidden Name"))
    ticket = issue_ticket(stranger)
    response = scan(staff_client, event, ticket.token)
    data = response.json()
    assert response.status_code == 409
    assert data["result"] == "error" and data["reason"] == "other_event"
    assert data["person"] is None and "Hidden Name" not in response.content.decode()
    assert data["message"] == "This ticket is for another event."
    assert not CheckIn.objects.exists()


def test_scan_of_a_cancelled_ticket_is_409_not_accepted(staff_client, event, accepted):
    registration = accepted()[0]
    ticket = issue_ticket(registration)
    registrations.cancel_registration(registration=registration, by=registration.user)
    response = scan(staff_client, event, ticket.token)
    data = response.json()
    assert response.status_code == 409 and data["reason"] == "not_accepted"
    assert data["person"]["status"] == "cancelled"
    assert data["person"]["name"] == registration.user.name
    assert not CheckIn.objects.exists()


def test_scan_of_an_unknown_token_is_404(staff_client, event, accepted):
    accepted()
    response = scan(staff_client, event, "x" * 32)
    assert response.status_code == 404
    assert response.json()["reason"] == "unknown" and response.json()["person"] is None
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("body", ["not json", json.dumps(["list"]), json.dumps({"token": 5})])
def test_scan_with_a_bad_body_is_400(staff_client, event, body):
    response = staff_client.post(url("scan", event), body, content_type="application/json")
    assert response.status_code == 400 and response.json()["reason"] == "bad_request"


def test_repeated_nonce_is_taken_once_with_its_original_time(staff_client, event, accepted):
    ticket = issue_ticket(accepted()[0])
    scanned = timezone.now() - timedelta(minutes=10)
    body = {"nonce": "offline-1", "scanned_at": scanned.isoformat()}
    first = scan(staff_client, event, ticket.token, **body)
    again = scan(staff_client, event, ticket.token, **body)
    assert (first.json()["result"], again.json()["result"]) == ("checked_in", "already")
    checkin = CheckIn.objects.get()
    assert checkin.checked_in_at == scanned and checkin.late
    assert checkin.received_at > checkin.checked_in_at


def test_offline_scan_time_is_corrected_for_the_phones_clock(staff_client, event, accepted):
    """The phone's clock is an hour ahead; it scanned 5 minutes before sending."""
    ticket = issue_ticket(accepted()[0])
    phone_now = timezone.now() + timedelta(hours=1)
    body = {
        "nonce": "skewed",
        "scanned_at": (phone_now - timedelta(minutes=5)).isoformat(),
        "sent_at": phone_now.isoformat(),
    }
    before = timezone.now()
    assert scan(staff_client, event, ticket.token, **body).json()["result"] == "checked_in"
    checkin = CheckIn.objects.get()
    expected = before - timedelta(minutes=5)
    assert abs(checkin.checked_in_at - expected) < timedelta(seconds=5)
    assert checkin.late


def test_scans_are_rate_limited_per_user(staff_client, event, accepted, organizer, settings):
    settings.KAISAI_RECEPTION_SCANS_PER_MINUTE = 3
    accepted()
    codes = [scan(staff_client, event, f"guess-{n:030d}").status_code for n in range(4)]
    assert codes == [404, 404, 404, 429]
    limited = scan(staff_client, event, "guess")
    assert limited.json()["reason"] == "rate_limited" and limited.json()["result"] == "error"
    assert scan(login(Client(), organizer), event, "guess").status_code == 404
