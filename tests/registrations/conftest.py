from __future__ import annotations

import pytest

from tests.factories import EventFactory, UserFactory
from tests.registrations.manage_helpers import build_world


@pytest.fixture
def people(db):
    def make(count, prefix="p"):
        return [UserFactory(nickname=f"{prefix}{i}") for i in range(count)]

    return make


@pytest.fixture
def world(event, organizer, make_frame, people):
    return build_world(event=event, organizer=organizer, make_frame=make_frame, people=people)


@pytest.fixture
def other(group, organizer, make_frame, people):
    """Another event of the same group: the organizer may manage it, but its ids must not
    work through the first event's URLs."""
    return build_world(
        event=EventFactory(group=group),
        organizer=organizer,
        make_frame=make_frame,
        people=people,
        prefix="other",
    )
