from __future__ import annotations

import pytest
from django.test import Client

from kaisai.accounts.services import create_api_token
from tests.factories import GroupFactory, UserFactory


@pytest.fixture(autouse=True)
def _generous_rate(settings):
    """Tests send many requests a second; test_access.py sets its own rate."""
    settings.KAISAI_API_V2_RATE = "100000/s"
    settings.BASE_URL = "https://kaisai.example.org"


class V2Client:
    """A test client that sends an API key the way connpass clients do (X-API-Key)."""

    def __init__(self, key: str | None) -> None:
        self.client = Client()
        self.headers = {"X-API-Key": key} if key else {}

    def get(self, url: str, params=None, **headers):
        return self.client.get(url, params or {}, headers={**self.headers, **headers})

    def json(self, url: str, params=None) -> dict:
        response = self.get(url, params)
        assert response.status_code == 200, response.content
        return response.json()


@pytest.fixture
def reader(db):
    """The person whose API key the tests use."""
    return UserFactory(nickname="reader")


@pytest.fixture
def api_key(reader) -> str:
    _, key = create_api_token(user=reader, name="tests")
    return key


@pytest.fixture
def v2(api_key) -> V2Client:
    return V2Client(api_key)


@pytest.fixture
def mlct(db):
    """A group whose owner is recorded (used by the test_events_*.py modules)."""
    founder = UserFactory(nickname="hiroshi_tanaka", display_name="田中 博")
    return GroupFactory(slug="mlct", title="Machine Learning Casual Talks", owner=founder)
