from __future__ import annotations

import pytest

from kaisai.registrations import services
from kaisai.registrations.enums import Method, Status
from kaisai.registrations.errors import RegistrationError
from kaisai.registrations.models import Registration


def test_approval_frame_applications_wait_for_a_decision(make_frame, people, organizer):
    frame = make_frame(capacity=1, method=Method.APPROVAL)
    a, b = (services.register(frame=frame, user=p) for p in people(2))
    assert (a.status, b.status) == ("applied", "applied")
    services.decide_application(registration=a, by=organizer, accept=True)
    with pytest.raises(RegistrationError) as full:
        services.decide_application(registration=b, by=organizer, accept=True)
    assert full.value.reason == "full"
    rejected = services.decide_application(
        registration=b, by=organizer, accept=False, reason="spam"
    )
    assert rejected.status == Status.REJECTED
    frame.refresh_from_db()
    assert frame.accepted_count == 1


def test_nominate_when_full_is_refused_and_capacity_raise_promotes(make_frame, people, organizer):
    frame = make_frame(capacity=1)
    a, b, c = (services.register(frame=frame, user=p) for p in people(3))
    with pytest.raises(RegistrationError) as full:
        services.nominate(registration=c, by=organizer)
    assert full.value.reason == "full"
    services.change_capacity(frame=frame, capacity=2, by=organizer)
    assert Registration.objects.get(pk=b.pk).status == "accepted"
    services.change_capacity(frame=frame, capacity=3, by=organizer)
    assert Registration.objects.get(pk=c.pk).status == "accepted"


def test_organizer_move_into_full_frame_waitlists(make_frame, people, organizer):
    general, lt = make_frame(capacity=1), make_frame(capacity=1, name="LT")
    a, b = (services.register(frame=general, user=p) for p in people(2))
    services.register(frame=lt, user=people(1, "lt")[0])
    moved = services.move_registration(registration=a, to_frame=lt, by=organizer, reason="asked")
    assert moved.status == "waitlisted"
    assert Registration.objects.get(pk=b.pk).status == "accepted"


def test_move_to_frame_of_other_event_is_refused(make_frame, people, organizer, group):
    from tests.factories import EventFactory

    frame = make_frame()
    other = make_frame(target=EventFactory(group=group), name="Other")
    reg = services.register(frame=frame, user=people(1)[0])
    with pytest.raises(RegistrationError):
        services.move_registration(registration=reg, to_frame=other, by=organizer)


def test_lottery_frame_requires_time(event, organizer):
    with pytest.raises(RegistrationError):
        services.create_frame(event=event, by=organizer, capacity=10, name="L",
                              method=Method.LOTTERY, lottery_at=None)  # fmt: skip
