"""Fixtures shared by the materials tests (test_materials_*.py): an event of `group` that took
place two days ago, its speaker and the speaker's accepted talk. Each module binds them by name."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import EventFactory, UserFactory
from tests.talks.factories import TalkFactory


@pytest.fixture
def event(group):
    return EventFactory(
        group=group,
        starts_at=timezone.now() - timedelta(days=2),
        ends_at=timezone.now() - timedelta(days=2) + timedelta(hours=2),
    )


@pytest.fixture
def speaker(db):
    return UserFactory(nickname="speaker")


@pytest.fixture
def talk(event, speaker):
    return TalkFactory(event=event, speaker=speaker, title="Drift monitoring")
