"""Organizer operations of the native API, and who may not use them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kaisai.events.models import Event
from kaisai.groups.enums import Role
from kaisai.registrations import services
from kaisai.registrations.models import Frame, Registration
from tests.factories import EventFactory, OrganizerFactory, UserFactory

START = timezone.now() + timedelta(days=30)


@pytest.fixture
def event(group):
    return EventFactory(group=group)


@pytest.fixture
def frame(event, organizer):
    return services.create_frame(
        event=event, by=organizer, capacity=1, name="Approval", method="approval"
    )


def _event_payload(**extra):
    return {
        "title": "ML night #6",
        "starts_at": START.isoformat(),
        "ends_at": (START + timedelta(hours=2)).isoformat(),
        **extra,
    }


def test_organizer_creates_updates_and_publishes_an_event(api_as, group, organizer):
    api = api_as(organizer)
    created = api.post(f"/api/v1/groups/{group.slug}/events/", _event_payload())
    assert created.status_code == 201, created.content
    event_id = created.json()["id"]
    assert created.json()["status"] == "draft"
    patched = api.client.patch(
        f"/api/v1/events/{event_id}/",
        {"title": "ML night #6 (LT special)"},
        content_type="application/json",
        headers=api.headers,
    )
    assert patched.status_code == 200 and patched.json()["title"] == "ML night #6 (LT special)"
    published = api.post(f"/api/v1/events/{event_id}/publish/", {})
    assert published.status_code == 200 and published.json()["status"] == "published"


def test_event_that_ends_before_it_starts_is_422_and_not_saved(api_as, group, organizer):
    payload = _event_payload(ends_at=(START - timedelta(hours=1)).isoformat())
    response = api_as(organizer).post(f"/api/v1/groups/{group.slug}/events/", payload)
    assert response.status_code == 422 and response.json()["reason"] == "invalid"
    assert not Event.objects.filter(title="ML night #6").exists()


def test_frames_create_list_and_capacity_change(api_as, event, organizer):
    api = api_as(organizer)
    created = api.post(f"/api/v1/events/{event.pk}/frames/", {"name": "LT", "capacity": 5,
                                                              "requires_talk": True})  # fmt: skip
    assert created.status_code == 201 and created.json()["capacity"] == 5
    assert Frame.objects.get(pk=created.json()["id"]).requires_talk
    frame_id = created.json()["id"]
    changed = api.client.patch(
        f"/api/v1/frames/{frame_id}/", {"capacity": 8}, content_type="application/json",
        headers=api.headers,
    )  # fmt: skip
    assert changed.status_code == 200 and changed.json()["capacity"] == 8
    listed = api.get(f"/api/v1/events/{event.pk}/frames/").json()
    assert [f["name"] for f in listed] == ["LT"]


def test_lottery_frame_without_time_is_422(api_as, event, organizer):
    response = api_as(organizer).post(
        f"/api/v1/events/{event.pk}/frames/", {"name": "Lottery", "capacity": 100,
                                               "method": "lottery"},
    )  # fmt: skip
    assert response.status_code == 422
    assert not Frame.objects.filter(event=event).exists()


def test_decisions_accept_reject_move_cancel(api_as, event, frame, organizer):
    first, second = UserFactory(), UserFactory()
    one = services.register(frame=frame, user=first)
    two = services.register(frame=frame, user=second)
    api = api_as(organizer)
    accepted = api.post(f"/api/v1/registrations/{one.pk}/decision/", {"action": "accept"})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    full = api.post(f"/api/v1/registrations/{two.pk}/decision/", {"action": "accept"})
    assert full.status_code == 409 and full.json()["reason"] == "full"
    other = services.create_frame(event=event, by=organizer, capacity=10, name="General")
    moved = api.post(f"/api/v1/registrations/{two.pk}/decision/",
                     {"action": "move", "frame_id": other.pk})  # fmt: skip
    assert moved.status_code == 200 and moved.json()["frame_id"] == other.pk
    cancelled = api.post(f"/api/v1/registrations/{one.pk}/decision/",
                         {"action": "cancel", "reason": "duplicate account"})  # fmt: skip
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert Registration.objects.get(pk=one.pk).log.last().reason == "duplicate account"


def test_move_without_frame_is_422(api_as, frame, organizer):
    registration = services.register(frame=frame, user=UserFactory())
    response = api_as(organizer).post(
        f"/api/v1/registrations/{registration.pk}/decision/", {"action": "move"}
    )
    assert response.status_code == 422


def test_my_registrations(api_as, frame, user):
    services.register(frame=frame, user=user)
    body = api_as(user).get("/api/v1/me/registrations/").json()
    assert [r["frame_id"] for r in body] == [frame.pk] and body[0]["status"] == "applied"
    assert api_as().get("/api/v1/me/registrations/").status_code == 401


@pytest.mark.parametrize("who", ["outsider", "plain", "reception"])
def test_only_the_groups_managers_may(api_as, group, event, frame, outsider, who):
    person = outsider if who == "outsider" else UserFactory()
    if who == "reception":
        OrganizerFactory(group=group, user=person, role=Role.RECEPTION)
    registration = services.register(frame=frame, user=UserFactory())
    api = api_as(person)
    calls = [
        api.post(f"/api/v1/groups/{group.slug}/events/", _event_payload()),
        api.post(f"/api/v1/events/{event.pk}/publish/", {}),
        api.get(f"/api/v1/events/{event.pk}/frames/"),
        api.post(f"/api/v1/events/{event.pk}/frames/", {"name": "X", "capacity": 1}),
        api.post(f"/api/v1/registrations/{registration.pk}/decision/", {"action": "accept"}),
        api.client.patch(
            f"/api/v1/frames/{frame.pk}/",
            {"capacity": 9},
            content_type="application/json",
            headers=api.headers,
        ),  # fmt: skip
    ]
    assert [r.status_code for r in calls] == [403] * len(calls)
    assert Registration.objects.get(pk=registration.pk).status == "applied"
    assert Frame.objects.get(pk=frame.pk).capacity == 1
    assert not Event.objects.filter(title="ML night #6").exists()


def test_anonymous_gets_401(api_as, event):
    assert api_as().post(f"/api/v1/events/{event.pk}/publish/", {}).status_code == 401


def test_messages_send_and_list_with_progress(api_as, event, frame, organizer):
    from kaisai.core.models import OutboxMail

    accepted = services.register(frame=frame, user=UserFactory())
    services.decide_application(registration=accepted, by=organizer, accept=True)
    services.register(frame=frame, user=UserFactory())  # applied: not in "accepted"
    api = api_as(organizer)
    payload = {"audience": "accepted", "subject": "Doors at 19:00", "body": "See you **soon**"}
    sent = api.post(f"/api/v1/events/{event.pk}/messages/", payload)
    assert sent.status_code == 201, sent.content
    assert (sent.json()["recipient_count"], sent.json()["pending"]) == (1, 1)
    assert OutboxMail.objects.filter(batch=f"message:{sent.json()['id']}").count() == 1
    listed = api.get(f"/api/v1/events/{event.pk}/messages/").json()
    assert [m["subject"] for m in listed] == ["Doors at 19:00"]


def test_message_to_an_empty_audience_is_422_and_not_saved(api_as, event, organizer):
    from kaisai.notices.models import OrganizerMessage

    payload = {"audience": "waitlisted", "subject": "Hi", "body": "x"}
    response = api_as(organizer).post(f"/api/v1/events/{event.pk}/messages/", payload)
    assert response.status_code == 422 and response.json()["reason"] == "empty_audience"
    assert not OrganizerMessage.objects.exists()


def test_messages_are_for_managers_only(api_as, event, outsider):
    payload = {"audience": "accepted", "subject": "Hi", "body": "x"}
    assert api_as(outsider).post(f"/api/v1/events/{event.pk}/messages/", payload).status_code == 403
    assert api_as(outsider).get(f"/api/v1/events/{event.pk}/messages/").status_code == 403
    assert api_as().get(f"/api/v1/events/{event.pk}/messages/").status_code == 401
