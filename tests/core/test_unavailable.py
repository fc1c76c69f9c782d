"""A lost database connection answers 503 with Retry-After, JSON under /api/, a page elsewhere;
any other error is left to Django (a bug stays a 500). The live version, with PostgreSQL cut
in the middle of a rush behind nginx, is tests/live/test_faults.py."""

from __future__ import annotations

import json

import pytest
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.utils import translation

from kaisai.core.unavailable import DatabaseUnavailableMiddleware

middleware = DatabaseUnavailableMiddleware(lambda request: HttpResponse())


@override_settings(KAISAI_RETRY_AFTER_SECONDS=7)
def test_api_answers_json_503_with_retry_after():
    request = RequestFactory().post("/api/v1/registrations/")
    response = middleware.process_exception(request, OperationalError("connection refused"))
    assert response is not None and response.status_code == 503
    assert response["Retry-After"] == "7"
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert body["reason"] == "unavailable" and body["retry_after"] == 7


def test_web_answers_a_page_in_the_users_language():
    request = RequestFactory().get("/events/1/")
    with translation.override("ja"):
        response = middleware.process_exception(request, InterfaceError("connection closed"))
    assert response is not None and response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert "Traceback" not in text and "もう一度" in text


@pytest.mark.parametrize(
    "error",
    [
        ValueError("bug"),
        KeyError("x"),
        RuntimeError(),
        OperationalError("no such column: counted.event_id"),  # SQLite's word for a bad query
        OperationalError("no such table: talks_talk"),
    ],
)
def test_other_errors_stay_errors(error):
    request = RequestFactory().get("/events/1/")
    assert middleware.process_exception(request, error) is None
