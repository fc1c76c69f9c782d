from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kaisai.checkin import selectors, services
from kaisai.checkin.errors import CheckInError
from kaisai.checkin.models import CheckIn
from kaisai.checkin.tickets import issue_ticket
from kaisai.registrations import services as registrations
from tests.factories import EventFactory, UserFactory


def test_tickets_get_sequential_receipt_numbers_and_random_tokens(accepted):
    tickets = [issue_ticket(r) for r in accepted(3)]
    assert [t.receipt_number for t in tickets] == [1, 2, 3]
    assert len({t.token for t in tickets}) == 3 and all(len(t.token) >= 32 for t in tickets)
    assert issue_ticket(tickets[0].registration).pk == tickets[0].pk


def test_waitlisted_and_cancelled_have_no_valid_ticket(frame, accepted):
    first, *_ = accepted(3)
    waiting = registrations.register(frame=frame, user=UserFactory())
    assert issue_ticket(waiting) is None
    ticket = issue_ticket(first)
    registrations.cancel_registration(registration=first, by=first.user)
    with pytest.raises(CheckInError) as error:
        services.check_in_ticket(event=frame.event, token=ticket.token, by=None)
    assert error.value.reason == "not_accepted"


def test_scan_checks_in_once_and_second_scan_says_already(accepted, organizer, event):
    ticket = issue_ticket(accepted()[0])
    first = services.check_in_ticket(event=event, token=ticket.token, by=organizer)
    second = services.check_in_ticket(event=event, token=ticket.token, by=organizer)
    assert (first.already, second.already) == (False, True)
    assert second.checkin.checked_in_at == first.checkin.checked_in_at
    assert second.checkin.by == organizer
    assert CheckIn.objects.count() == 1


def test_ticket_of_another_event_and_unknown_token_check_in_nobody(accepted, organizer, group):
    ticket = issue_ticket(accepted()[0])
    other = EventFactory(group=group)
    with pytest.raises(CheckInError) as wrong_event:
        services.check_in_ticket(event=other, token=ticket.token, by=organizer)
    assert wrong_event.value.reason == "other_event"
    with pytest.raises(CheckInError) as unknown:
        services.check_in_ticket(event=other, token="nope", by=organizer)
    assert unknown.value.reason == "unknown"
    assert not CheckIn.objects.exists()


def test_offline_scan_keeps_its_time_is_marked_late_and_nonce_is_idempotent(accepted, event):
    ticket = issue_ticket(accepted()[0])
    scanned = timezone.now() - timedelta(minutes=10)
    first = services.check_in_ticket(event=event, token=ticket.token, by=None, nonce="n-1",
                                     scanned_at=scanned)  # fmt: skip
    again = services.check_in_ticket(event=event, token=ticket.token, by=None, nonce="n-1",
                                     scanned_at=scanned)  # fmt: skip
    assert first.checkin.checked_in_at == scanned and first.checkin.late
    assert again.already and CheckIn.objects.count() == 1


def test_undo_check_in(accepted, event, organizer):
    registration = accepted()[0]
    services.check_in(event=event, registration=registration, by=organizer, method="search")
    assert services.undo_check_in(registration=registration, by=organizer)
    assert not CheckIn.objects.exists()


def test_attendance_code_window_and_wrong_code(frame, event, organizer):
    person = UserFactory()
    registrations.register(frame=frame, user=person)
    services.set_attendance_code(event=event, code="MLCT2026", by=organizer)
    with pytest.raises(CheckInError) as early:
        services.self_check_in(event=event, user=person, code="MLCT2026")
    assert early.value.reason == "not_now"
    event.starts_at = timezone.now() + timedelta(hours=1)
    event.ends_at = timezone.now() + timedelta(hours=3)
    event.save()
    with pytest.raises(CheckInError) as wrong:
        services.self_check_in(event=event, user=person, code="nope")
    assert wrong.value.reason == "wrong_code"
    assert not services.self_check_in(event=event, user=person, code="mlct2026").already
    with pytest.raises(CheckInError):
        services.self_check_in(event=event, user=UserFactory(), code="MLCT2026")


def test_attendance_numbers_after_the_event(frame, event, accepted, organizer):
    people = accepted(3)
    registrations.register(frame=frame, user=UserFactory())  # waitlisted
    registrations.cancel_registration(registration=people[2], by=people[2].user)  # promotes
    services.check_in(event=event, registration=people[0], by=organizer, method="search")
    numbers = selectors.attendance_numbers(event)
    assert (numbers["accepted"], numbers["attended"], numbers["no_show"]) == (3, 1, None)
    event.starts_at = timezone.now() - timedelta(hours=3)
    event.ends_at = timezone.now() - timedelta(hours=1)
    event.save()
    numbers = selectors.attendance_numbers(event)
    assert numbers["no_show"] == 2 and numbers["cancelled"] == 1
    assert numbers["attendance_rate"] == pytest.approx(1 / 3)
    assert list(selectors.events_attended_by(people[0].user)) == [event]
    history = selectors.attendance_history(people[1].user)
    assert [(h.event_id, h.attended) for h in history] == [(event.pk, False)]


def test_same_nonce_at_another_event_is_another_scan(accepted, event, group, organizer):
    from kaisai.registrations import services as regs

    other = EventFactory(group=group)
    other_frame = regs.create_frame(event=other, by=organizer, capacity=3, name="G")
    here = issue_ticket(accepted()[0])
    there = issue_ticket(regs.register(frame=other_frame, user=UserFactory()))
    services.check_in_ticket(event=event, token=here.token, by=None, nonce="same")
    result = services.check_in_ticket(event=other, token=there.token, by=None, nonce="same")
    assert not result.already and result.registration == there.registration
    assert CheckIn.objects.count() == 2
