from __future__ import annotations

import pytest

from kaisai.registrations import services as registrations
from tests.factories import EventFactory, UserFactory


@pytest.fixture
def event(group):
    return EventFactory(group=group)


@pytest.fixture
def frame(event, organizer):
    return registrations.create_frame(event=event, by=organizer, capacity=3, name="General")


@pytest.fixture
def accepted(frame):
    def make(count=1):
        return [registrations.register(frame=frame, user=UserFactory()) for _ in range(count)]

    return make
