from __future__ import annotations

import pytest

from tests.factories import UserFactory


@pytest.fixture
def people(db):
    def make(count, prefix="p"):
        return [UserFactory(nickname=f"{prefix}{i}") for i in range(count)]

    return make
