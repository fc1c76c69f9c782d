"""Test data for messages, group notices and unsubscribe (helper H5's tests)."""

from __future__ import annotations

import factory

from kaisai.registrations.enums import Method, Status
from kaisai.registrations.models import Frame, Registration
from tests.factories import EventFactory, MemberFactory, UserFactory


class FrameFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Frame

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Frame {n}")
    capacity = 50
    method = Method.FIRST_COME


def register(frame: Frame, user, status: str = Status.ACCEPTED) -> Registration:
    waitlist_key = None
    if status == Status.WAITLISTED:
        frame.waitlist_seq += 1
        frame.save(update_fields=["waitlist_seq"])
        waitlist_key = frame.waitlist_seq
    return Registration.objects.create(
        event=frame.event, frame=frame, user=user, status=status, waitlist_key=waitlist_key
    )


def members(group, count: int, prefix: str = "m") -> list:
    people = [UserFactory(nickname=f"{prefix}{i}") for i in range(count)]
    for person in people:
        MemberFactory(group=group, user=person)
    return people
