"""Fixtures of the talks tests: an event of the `group` fixture, frames, people, proposals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kaisai.registrations import services
from kaisai.registrations.enums import Method
from kaisai.talks.services.proposals import TalkProposal
from tests.factories import EventFactory, UserFactory


@pytest.fixture
def event(db, group):
    return EventFactory(group=group)


@pytest.fixture
def make_frame(event, organizer):
    def make(capacity=3, method=Method.FIRST_COME, target=None, **fields):
        if method == Method.LOTTERY:
            fields.setdefault("lottery_at", timezone.now() + timedelta(days=1))
        return services.create_frame(
            event=target or event, by=organizer, capacity=capacity, method=method,
            name=fields.pop("name", "General"), **fields,
        )  # fmt: skip

    return make


@pytest.fixture
def lt_frame(make_frame):
    """A first-come speakers' frame with two LT seats."""
    return make_frame(capacity=2, name="LT", requires_talk=True)


@pytest.fixture
def people(db):
    def make(count, prefix="p"):
        return [UserFactory(nickname=f"{prefix}{i}") for i in range(count)]

    return make


def proposal(title: str = "Rust in 5 minutes", **fields) -> TalkProposal:
    return TalkProposal(title=title, abstract="Why **borrowing** is fun.", **fields)
