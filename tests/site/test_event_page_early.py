"""The early path of the public event page (site/event_page_early.py): a stored page for a
visitor without a session is answered before the pages' layers, with the same bytes and
headers as the view's path, and every other visitor goes on to the view."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaisai.events.enums import EventStatus
from kaisai.site import event_page_early
from tests.conftest import login

HEADERS = ("Content-Security-Policy", "X-Frame-Options", "Permissions-Policy", "Content-Type")


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _get(url: str, client: Client | None = None):
    with CaptureQueriesContext(connection) as queries:
        response = (client or Client()).get(url)
    assert response.status_code == 200
    return response, len(queries)


def _url(event) -> str:
    return reverse("events:detail", kwargs={"pk": event.pk})


def test_the_prefix_is_that_of_every_event_page(event):
    assert _url(event).startswith(event_page_early.PREFIX)
    assert event_page_early._event_page(_url(event)) is not None
    assert event_page_early._event_page(event_page_early.PREFIX) is None  # the list


def test_a_hit_skips_the_pages_layers_and_answers_as_the_view_does(event, make_frame):
    make_frame()
    miss, queries = _get(_url(event))
    assert hasattr(miss.wsgi_request, "session")  # a miss: through the layers to the view
    hit, hit_queries = _get(_url(event))
    assert hit_queries == 1  # the fingerprint
    request = hit.wsgi_request
    assert not hasattr(request, "session") and not hasattr(request, "_messages")
    assert not hasattr(request, "htmx")  # answered before the htmx layer
    assert request.resolver_match.view_name == "events:detail"
    assert hit.content == miss.content
    for header in HEADERS:
        assert hit[header] == miss[header]
    assert set(hit["Vary"].replace(" ", "").split(",")) >= {"Accept-Language", "Cookie"}


def test_a_visitor_with_a_session_goes_through_the_layers(event, make_frame, user):
    make_frame()
    _get(_url(event))
    client = Client()
    login(client, user)
    response, _ = _get(_url(event), client)
    assert response.wsgi_request.user == user
    assert hasattr(response.wsgi_request, "session")
    assert user.name.encode() in response.content  # the header's own link


def test_a_query_string_or_a_post_is_not_answered_early(event, make_frame):
    make_frame()
    _get(_url(event))
    response, _ = _get(_url(event) + "?x=1")
    assert hasattr(response.wsgi_request, "session")
    response = Client().post(_url(event))
    assert hasattr(response.wsgi_request, "session")


def test_a_draft_or_an_unknown_event_goes_to_the_view(event, make_frame):
    make_frame()
    _get(_url(event))
    event.status = EventStatus.DRAFT
    event.save()
    assert Client().get(_url(event)).status_code == 404
    assert Client().get(reverse("events:detail", kwargs={"pk": event.pk + 999})).status_code == 404


def test_each_language_is_answered_early_in_its_own(event, make_frame):
    make_frame()
    for language in ("ja", "en", "ja"):
        response = Client(HTTP_ACCEPT_LANGUAGE=language).get(_url(event))
        assert f'<html lang="{language}">'.encode() in response.content


def test_a_database_outage_on_the_early_path_is_a_503(event, make_frame, monkeypatch):
    """The early path reads the database before Django's view hooks: an outage there is the
    same 503 with Retry-After as in a view (core/unavailable.py; live: tests/live/test_faults)."""
    from django.db import OperationalError

    from kaisai.site import event_page_cache

    make_frame()

    def refused(pk):
        raise OperationalError("connection refused")

    monkeypatch.setattr(event_page_cache, "fingerprint", refused)
    response = Client().get(_url(event))
    assert response.status_code == 503 and response["Retry-After"]
    assert response["Content-Type"].startswith("text/html")

    def bug(pk):
        raise ValueError("a bug")

    monkeypatch.setattr(event_page_cache, "fingerprint", bug)
    with pytest.raises(ValueError):
        Client(raise_request_exception=True).get(_url(event))
