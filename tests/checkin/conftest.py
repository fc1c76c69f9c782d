from __future__ import annotations

import pytest
from django.core.cache import cache

from kaisai.groups.enums import Role
from kaisai.registrations import services as registrations
from tests.conftest import login
from tests.factories import EventFactory, OrganizerFactory, UserFactory


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


@pytest.fixture
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def reception_staff(group):
    person = UserFactory(nickname="door")
    return OrganizerFactory(group=group, role=Role.RECEPTION, user=person).user


@pytest.fixture
def staff_client(client, reception_staff):
    return login(client, reception_staff)
