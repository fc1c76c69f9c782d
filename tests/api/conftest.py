from __future__ import annotations

import pytest
from django.test import Client

from kaisai.accounts.services import create_api_token


class ApiClient:
    """A test client that sends a personal API token."""

    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, url, **params):
        return self.client.get(url, params, headers=self.headers)

    def post(self, url, data):
        return self.client.post(url, data, content_type="application/json", headers=self.headers)

    def delete(self, url):
        return self.client.delete(url, headers=self.headers)


@pytest.fixture
def api_as():
    def make(user=None):
        if user is None:
            return ApiClient(None)
        _, token = create_api_token(user=user, name="tests")
        return ApiClient(token)

    return make
