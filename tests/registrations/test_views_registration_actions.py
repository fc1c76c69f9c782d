"""Organizer pages for one registration: its detail, the actions on it, and its note."""

from __future__ import annotations

import pytest

from kaisai.registrations import services
from kaisai.registrations.enums import Method, Status
from kaisai.registrations.models import Registration, RegistrationLog
from tests.conftest import login
from tests.registrations.manage_helpers import action_url, detail_url, messages_of, snapshot

# --- one registration and its actions -----------------------------------------------------


def test_detail_shows_person_answers_and_log(client, organizer, world):
    login(client, organizer)
    services.move_registration(
        registration=world.registration, to_frame=world.spare, by=organizer, reason="asked to"
    )
    response = client.get(detail_url(world.registration))
    body = response.content.decode()
    assert response.status_code == 200
    assert world.participant.email in body
    assert "Why do you come?" in body and "To learn" in body
    log = response.context["log"]
    assert [(e.from_status, e.to_status) for e in log] == [
        ("", "accepted"),
        ("accepted", "accepted"),
    ]
    assert log[1].actor == organizer and log[1].reason == "asked to"
    assert "asked to" in body
    assert 'value="move"' in body and 'value="cancel"' in body
    assert 'value="accept"' not in body  # already accepted


def test_action_accept_and_reject_in_approval_frame(client, organizer, make_frame, people):
    frame = make_frame(capacity=2, method=Method.APPROVAL)
    a, b = (services.register(frame=frame, user=p) for p in people(2))
    login(client, organizer)
    response = client.post(action_url(a), {"action": "accept", "reason": "speaker"})
    assert response.status_code == 302
    assert response["Location"] == detail_url(a)
    assert Registration.objects.get(pk=a.pk).status == Status.ACCEPTED
    assert messages_of(response)[0][0] == "success"
    entry = RegistrationLog.objects.filter(registration=a).latest("id")
    assert (entry.to_status, entry.actor, entry.reason) == ("accepted", organizer, "speaker")

    client.post(action_url(b), {"action": "reject", "reason": "spam"})
    assert Registration.objects.get(pk=b.pk).status == Status.REJECTED
    assert RegistrationLog.objects.filter(registration=b).latest("id").reason == "spam"


def test_action_accept_into_full_frame_shows_error_and_changes_nothing(
    client, organizer, make_frame, people
):
    frame = make_frame(capacity=1, method=Method.APPROVAL)
    a, b = (services.register(frame=frame, user=p) for p in people(2))
    services.decide_application(registration=a, by=organizer, accept=True)
    login(client, organizer)
    before = snapshot()
    response = client.post(action_url(b), {"action": "accept"}, follow=True)
    assert snapshot() == before
    assert Registration.objects.get(pk=b.pk).status == Status.APPLIED
    error = [m for m in response.context["messages"] if m.level_tag == "error"]
    assert len(error) == 1 and "The frame is full" in str(error[0])
    assert "The frame is full" in response.content.decode()


@pytest.mark.parametrize("action", ["reject", "cancel"])
def test_action_without_required_reason_changes_nothing(client, organizer, world, action):
    login(client, organizer)
    before = snapshot()
    response = client.post(action_url(world.registration), {"action": action, "reason": "  "})
    assert response.status_code == 302
    assert snapshot() == before
    assert messages_of(response)[0][0] == "error"


def test_action_unknown_changes_nothing(client, organizer, world):
    login(client, organizer)
    before = snapshot()
    response = client.post(action_url(world.registration), {"action": "delete"})
    assert response.status_code == 302
    assert snapshot() == before
    assert messages_of(response)[0][0] == "error"


def test_action_get_not_allowed(client, organizer, world):
    login(client, organizer)
    assert client.get(action_url(world.registration)).status_code == 405


def test_action_nominate_waitlisted_when_full_shows_error(client, organizer, make_frame, people):
    frame = make_frame(capacity=1)
    _a, b = (services.register(frame=frame, user=p) for p in people(2))
    login(client, organizer)
    before = snapshot()
    response = client.post(action_url(b), {"action": "nominate"})
    assert snapshot() == before
    assert messages_of(response) == [
        ("error", "The frame is full. Raise its capacity or cancel someone first.")
    ]


def test_action_nominate_with_free_seat_accepts(client, organizer, make_frame, people):
    frame = make_frame(capacity=2, method=Method.APPROVAL)
    registration = services.register(frame=frame, user=people(1)[0])
    login(client, organizer)
    response = client.post(action_url(registration), {"action": "nominate"})
    registration.refresh_from_db()
    assert (registration.status, registration.nominated) == (Status.ACCEPTED, True)
    assert messages_of(response)[0][0] == "success"


def test_action_nominate_before_draw_keeps_applicant_nominated(
    client, organizer, make_frame, people
):
    frame = make_frame(capacity=1, method=Method.LOTTERY)
    registration = services.register(frame=frame, user=people(1)[0])
    login(client, organizer)
    response = client.post(action_url(registration), {"action": "nominate", "reason": "speaker"})
    registration.refresh_from_db()
    assert (registration.status, registration.nominated) == (Status.APPLIED, True)
    assert messages_of(response)[0][0] == "success"


def test_action_move_to_other_frame_promotes_old_waitlist(client, organizer, make_frame, people):
    general, lt = make_frame(capacity=1), make_frame(capacity=1, name="LT")
    a, b = (services.register(frame=general, user=p) for p in people(2))
    login(client, organizer)
    client.post(action_url(a), {"action": "move", "to_frame": lt.pk, "reason": "gives a talk"})
    a.refresh_from_db()
    assert (a.frame_id, a.status) == (lt.pk, Status.ACCEPTED)
    assert Registration.objects.get(pk=b.pk).status == Status.ACCEPTED


def test_action_move_to_frame_of_another_event_404(client, organizer, world, other):
    login(client, organizer)
    before = snapshot()
    response = client.post(
        action_url(world.registration), {"action": "move", "to_frame": other.frame.pk}
    )
    assert response.status_code == 404
    assert snapshot() == before


def test_action_move_without_frame_changes_nothing(client, organizer, world):
    login(client, organizer)
    before = snapshot()
    response = client.post(action_url(world.registration), {"action": "move"})
    assert snapshot() == before
    assert messages_of(response)[0][0] == "error"


def test_action_cancel_frees_seat_for_waitlist(client, organizer, make_frame, people):
    frame = make_frame(capacity=1)
    a, b = (services.register(frame=frame, user=p) for p in people(2))
    login(client, organizer)
    response = client.post(action_url(a), {"action": "cancel", "reason": "asked by e-mail"})
    assert messages_of(response)[0][0] == "success"
    assert Registration.objects.get(pk=a.pk).status == Status.CANCELLED
    assert Registration.objects.get(pk=b.pk).status == Status.ACCEPTED
    entry = RegistrationLog.objects.filter(registration=a).latest("id")
    assert (entry.actor, entry.reason) == (organizer, "asked by e-mail")
    # Cancelling again is refused, and leaves no second log row.
    before = snapshot()
    again = client.post(action_url(a), {"action": "cancel", "reason": "twice"})
    assert messages_of(again)[-1][0] == "error"
    assert snapshot() == before


def test_action_on_cancelled_registration_offers_nothing(client, organizer, world):
    services.cancel_registration(registration=world.registration, by=world.participant)
    login(client, organizer)
    body = client.get(detail_url(world.registration)).content.decode()
    assert 'name="action"' not in body


def test_organizer_note_is_saved_and_shown_to_the_reception(client, organizer, outsider):
    from django.urls import reverse

    from kaisai.checkin.tickets import issue_ticket
    from kaisai.registrations import services as regs
    from tests.factories import EventFactory, GroupFactory, UserFactory

    event = EventFactory(group=GroupFactory(owner=organizer))
    frame = regs.create_frame(event=event, by=organizer, capacity=2, name="G")
    registration = regs.register(frame=frame, user=UserFactory())
    url = reverse("registrations:registration_note",
                  kwargs={"pk": event.pk, "registration_id": registration.pk})  # fmt: skip
    client.force_login(outsider)
    assert client.post(url, {"note": "x"}).status_code == 403
    client.force_login(organizer)
    client.post(url, {"note": "  Speaker: give a badge  "})
    registration.refresh_from_db()
    assert registration.organizer_note == "Speaker: give a badge"
    ticket = issue_ticket(registration)
    scan = client.post(reverse("checkin:scan", kwargs={"pk": event.pk}),
                       {"token": ticket.token, "nonce": "n"},
                       content_type="application/json")  # fmt: skip
    assert scan.json()["person"]["notes"] == "Speaker: give a badge"
