"""Native API: the ticket in get_my_registration, the check_in operation, attendance numbers
in get_event for organizers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kaisai.checkin.models import CheckIn, Ticket
from kaisai.checkin.tickets import issue_ticket
from kaisai.events.models import Event
from kaisai.groups.enums import Role
from kaisai.registrations import services
from tests.factories import EventFactory, OrganizerFactory, UserFactory


@pytest.fixture
def event(group):
    return EventFactory(group=group)


@pytest.fixture
def frame(event, organizer):
    return services.create_frame(event=event, by=organizer, capacity=2, name="General")


@pytest.fixture
def ticket(frame):
    return issue_ticket(services.register(frame=frame, user=UserFactory(nickname="hanako")))


def check_in_url(event) -> str:
    return f"/api/v1/events/{event.pk}/check-in/"


def test_openapi_has_check_in(client):
    doc = client.get("/api/v1/openapi.json").json()
    operations = {op["operationId"] for path in doc["paths"].values() for op in path.values()}
    assert "check_in" in operations


def test_my_registration_has_the_ticket_once_accepted(api_as, event, frame):
    person, waiting = UserFactory(), UserFactory()
    services.register(frame=frame, user=person)
    services.register(frame=frame, user=UserFactory())
    services.register(frame=frame, user=waiting)
    body = api_as(person).get(f"/api/v1/events/{event.pk}/registration/").json()
    ticket = Ticket.objects.get(registration__user=person)
    assert body["ticket_token"] == ticket.token
    assert body["receipt_number"] == ticket.receipt_number == 1
    assert body["ticket_url"].endswith(f"/events/{event.pk}/ticket/")
    body = api_as(waiting).get(f"/api/v1/events/{event.pk}/registration/").json()
    assert body["status"] == "waitlisted" and body["ticket_token"] is None
    assert not Ticket.objects.filter(registration__user=waiting).exists()


def test_check_in_by_organizer_then_already(api_as, event, ticket, organizer):
    api = api_as(organizer)
    first = api.post(check_in_url(event), {"token": ticket.token, "nonce": "scan-1"})
    assert first.status_code == 201
    body = first.json()
    assert body["result"] == "checked_in"
    assert body["registration"]["nickname"] == "hanako"
    assert body["receipt_number"] == ticket.receipt_number
    assert body["by"]["nickname"] == organizer.nickname and body["method"] == "api"
    again = api.post(check_in_url(event), {"token": ticket.token})
    assert again.status_code == 200 and again.json()["result"] == "already"
    assert again.json()["checked_in_at"] == body["checked_in_at"]
    retried = api.post(check_in_url(event), {"token": ticket.token, "nonce": "scan-1"})
    assert retried.json()["result"] == "already"
    assert CheckIn.objects.count() == 1


def test_check_in_by_reception_with_offline_time(api_as, event, ticket, group):
    staff = OrganizerFactory(group=group, role=Role.RECEPTION).user
    scanned = (timezone.now() - timedelta(minutes=10)).replace(microsecond=0)
    response = api_as(staff).post(
        check_in_url(event), {"token": ticket.token, "scanned_at": scanned.isoformat()}
    )
    assert response.status_code == 201 and response.json()["late"] is True
    assert CheckIn.objects.get().checked_in_at == scanned


def test_check_in_is_forbidden_to_outsiders_and_participants(api_as, event, ticket, outsider):
    for person in (outsider, ticket.registration.user):
        response = api_as(person).post(check_in_url(event), {"token": ticket.token})
        assert response.status_code == 403 and response.json()["reason"] == "forbidden"
    assert api_as().post(check_in_url(event), {"token": ticket.token}).status_code == 401
    assert not CheckIn.objects.exists()


def test_check_in_errors(api_as, event, ticket, organizer, group, frame):
    api = api_as(organizer)
    unknown = api.post(check_in_url(event), {"token": "no-such-token"})
    assert unknown.status_code == 404 and unknown.json()["reason"] == "unknown"
    other = EventFactory(group=group)
    wrong = api.post(check_in_url(other), {"token": ticket.token})
    assert wrong.status_code == 409 and wrong.json()["reason"] == "other_event"
    registration = ticket.registration
    services.cancel_registration(registration=registration, by=registration.user)
    cancelled = api.post(check_in_url(event), {"token": ticket.token})
    assert cancelled.status_code == 409 and cancelled.json()["reason"] == "not_accepted"
    assert api.post(check_in_url(event), {}).status_code == 422
    assert not CheckIn.objects.exists()


def test_get_event_has_attendance_only_for_organizers(api_as, event, ticket, organizer, group):
    CheckIn.objects.create(registration=ticket.registration, event=event, method="api",
                           checked_in_at=timezone.now())  # fmt: skip
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    url = f"/api/v1/events/{event.pk}/"
    attendance = api_as(organizer).get(url).json()["attendance"]
    assert attendance["accepted"] == 1 and attendance["attended"] == 1
    assert attendance["no_show"] == 0 and attendance["attendance_rate"] == 1.0
    staff = OrganizerFactory(group=group, role=Role.RECEPTION).user
    for person in (None, ticket.registration.user, staff):
        response = api_as(person).get(url)
        assert response.status_code == 200 and response.json()["attendance"] is None
    bad = api_as().client.get(url, headers={"Authorization": "Bearer nonsense"})
    assert bad.status_code == 200 and bad.json()["attendance"] is None
