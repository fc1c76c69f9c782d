"""Shared helpers for the participant page tests (imported by the test modules)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse


def url(name: str, event, **kwargs) -> str:
    return reverse(f"registrations:{name}", kwargs={"pk": event.pk, **kwargs})


def event_page(client, event) -> str:
    response = client.get(reverse("events:detail", kwargs={"pk": event.pk}))
    assert response.status_code == 200
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _page_queries(client, target) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(target)
    assert response.status_code == 200
    return len(queries)
