from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kaisai.events.enums import EventStatus
from kaisai.registrations import selectors, services
from kaisai.registrations.enums import Status
from kaisai.registrations.errors import RegistrationError
from kaisai.registrations.models import Frame, Registration, RegistrationLog
from tests.factories import EventFactory


def accepted_fact(frame: Frame) -> int:
    return Registration.objects.filter(frame=frame, status=Status.ACCEPTED).count()


def test_register_first_come_accepts_until_full_then_waitlists(make_frame, people):
    frame = make_frame(capacity=2)
    regs = [services.register(frame=frame, user=person) for person in people(4)]
    assert [r.status for r in regs] == ["accepted", "accepted", "waitlisted", "waitlisted"]
    assert [selectors.waitlist_position(r) for r in regs[2:]] == [1, 2]
    frame.refresh_from_db()
    assert frame.accepted_count == accepted_fact(frame) == 2


def test_register_repeated_request_returns_existing(make_frame, user):
    frame = make_frame(capacity=5)
    first = services.register(frame=frame, user=user)
    second = services.register(frame=frame, user=user)
    assert first.pk == second.pk
    assert Registration.objects.filter(user=user).count() == 1


def test_register_one_active_registration_per_event_across_frames(make_frame, user):
    general, students = make_frame(capacity=5), make_frame(capacity=5, name="Students")
    first = services.register(frame=general, user=user)
    again = services.register(frame=students, user=user)
    assert again.pk == first.pk and again.frame_id == general.pk


def test_cancel_promotes_head_of_waitlist_in_same_transaction(make_frame, people, user):
    frame = make_frame(capacity=1)
    a, b, c = (services.register(frame=frame, user=p) for p in people(3))
    services.cancel_registration(registration=a, by=a.user)
    b.refresh_from_db(), c.refresh_from_db()
    assert (b.status, c.status) == ("accepted", "waitlisted")
    assert selectors.waitlist_position(c) == 1
    frame.refresh_from_db()
    assert frame.accepted_count == accepted_fact(frame) == 1


def test_cancel_twice_is_harmless(make_frame, user):
    frame = make_frame(capacity=1)
    reg = services.register(frame=frame, user=user)
    services.cancel_registration(registration=reg, by=user)
    services.cancel_registration(registration=reg, by=user)
    frame.refresh_from_db()
    assert frame.accepted_count == 0


def test_reregister_after_cancel_makes_a_new_registration(make_frame, user):
    frame = make_frame(capacity=1)
    first = services.register(frame=frame, user=user)
    services.cancel_registration(registration=first, by=user)
    second = services.register(frame=frame, user=user)
    assert second.pk != first.pk and second.status == "accepted"


def test_no_promotion_after_cutoff(make_frame, people):
    frame = make_frame(capacity=1, promotion_cutoff=timezone.now() - timedelta(minutes=1))
    a, b = (services.register(frame=frame, user=p) for p in people(2))
    services.cancel_registration(registration=a, by=a.user)
    b.refresh_from_db()
    assert b.status == "waitlisted"


def test_capacity_increase_promotes_and_decrease_never_demotes(make_frame, people, organizer):
    frame = make_frame(capacity=2)
    regs = [services.register(frame=frame, user=p) for p in people(5)]
    services.change_capacity(frame=frame, capacity=3, by=organizer)
    assert Registration.objects.get(pk=regs[2].pk).status == "accepted"
    services.change_capacity(frame=frame, capacity=1, by=organizer)
    frame.refresh_from_db()
    assert accepted_fact(frame) == 3 == frame.accepted_count
    # A cancellation frees a seat, but accepted (2) is still over capacity (1): nobody moves up.
    services.cancel_registration(registration=regs[0], by=regs[0].user)
    assert Registration.objects.get(pk=regs[3].pk).status == "waitlisted"


def test_register_outside_window_is_refused(make_frame, user):
    frame = make_frame(opens_at=timezone.now() + timedelta(hours=1))
    with pytest.raises(RegistrationError) as error:
        services.register(frame=frame, user=user)
    assert error.value.reason == "not_open"
    closed = make_frame(name="Late", closes_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(RegistrationError):
        services.register(frame=closed, user=user)
    assert not Registration.objects.exists()


@pytest.mark.parametrize("status", [EventStatus.DRAFT, EventStatus.CANCELLED])
def test_register_to_unpublished_event_is_refused(make_frame, user, group, status):
    frame = make_frame(target=EventFactory(group=group, status=status))
    with pytest.raises(RegistrationError):
        services.register(frame=frame, user=user)


def test_move_frees_seat_and_promotes_old_frame(make_frame, people):
    general, students = make_frame(capacity=1), make_frame(capacity=2, name="Students")
    a, b = (services.register(frame=general, user=p) for p in people(2))
    moved = services.change_frame(registration=a, to_frame=students, by=a.user)
    assert (moved.frame_id, moved.status) == (students.pk, "accepted")
    assert Registration.objects.get(pk=b.pk).status == "accepted"
    general.refresh_from_db(), students.refresh_from_db()
    assert (general.accepted_count, students.accepted_count) == (1, 1)


def test_every_change_is_audited_with_actor_and_reason(make_frame, user, organizer):
    frame = make_frame(capacity=1)
    reg = services.register(frame=frame, user=user)
    services.cancel_registration(registration=reg, by=organizer, reason="duplicate account")
    entries = list(RegistrationLog.objects.filter(registration=reg))
    assert [(e.from_status, e.to_status) for e in entries] == [
        ("", "accepted"),
        ("accepted", "cancelled"),
    ]
    assert entries[1].actor == organizer and entries[1].reason == "duplicate account"


def test_afterparty_has_its_own_capacity(make_frame, people, event):
    event.afterparty_place = "Izakaya"
    event.afterparty_capacity = 1
    event.save()
    frame = make_frame(capacity=5)
    first, second = people(2)
    assert services.register(frame=frame, user=first, afterparty=True).afterparty
    with pytest.raises(RegistrationError) as full:
        services.register(frame=frame, user=second, afterparty=True)
    assert full.value.reason == "afterparty_full"
    assert not Registration.objects.filter(user=second).exists()
    assert not services.register(frame=frame, user=second).afterparty


def test_afterparty_announced_by_fee_alone_can_be_chosen(make_frame, user, event):
    event.afterparty_fee = 1500
    event.save()
    frame = make_frame(capacity=5)
    assert services.register(frame=frame, user=user, afterparty=True).afterparty
