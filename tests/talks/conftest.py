"""Fixtures of the talks tests: an event of the `group` fixture, frames, people, proposals."""

from __future__ import annotations

import pytest

from kaisai.registrations.proposals import TalkProposal
from tests.factories import UserFactory


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
