"""The front of the event page's early path (site/event_page_front.py): a stored page for a
visitor without a session is answered in front of the outer layers too, with byte for byte
the status, body and headers (in their order) that the path behind it gives — the same
request through MIDDLEWARE without the front — for every kind of request."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError
from django.test import Client, override_settings
from django.urls import reverse

from kaisai.core.metrics import REQUEST_SECONDS
from kaisai.events.enums import EventStatus
from kaisai.site import event_page_cache

FRONT = "kaisai.site.event_page_front.EventPageFrontMiddleware"
JA = {"HTTP_ACCEPT_LANGUAGE": "ja"}
LANGUAGE = settings.LANGUAGE_COOKIE_NAME

# (method, extra path, client kwargs, answered in front once learned): requests of the kinds
# the outer layers tell apart.
KINDS = [
    ("get", "", {}, True),
    ("head", "", {}, True),
    ("get", "", {"HTTP_ACCEPT_LANGUAGE": "en"}, True),
    ("get", "", {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9,ja;q=0.8"}, True),
    ("get", "", {"HTTP_ACCEPT_LANGUAGE": "ja;q=0.5,en;q=0.9"}, True),
    ("get", "", {"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9"}, True),
    ("get", "", {"HTTP_ACCEPT_LANGUAGE": "zh-hant, *"}, True),
    ("get", "", {"HTTP_ACCEPT_LANGUAGE": ""}, True),
    ("get", "", {"HTTP_COOKIE": f"{LANGUAGE}=en"}, True),
    ("get", "", {"HTTP_COOKIE": f"{LANGUAGE}=ja", "HTTP_ACCEPT_LANGUAGE": "en"}, True),
    ("get", "", {"HTTP_COOKIE": f"{LANGUAGE}=xx", "HTTP_ACCEPT_LANGUAGE": "en"}, True),
    ("get", "", {"secure": True}, True),
    ("get", "?", {}, True),
    ("get", "", {"HTTP_AUTHORIZATION": "Bearer nothing"}, False),
    ("get", "", {"HTTP_HOST": "evil.example.org"}, False),
    ("get", "?x=1", {}, False),
    ("get", "", {"HTTP_COOKIE": "messages=x"}, False),
    ("post", "", {}, False),
]


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _url(event) -> str:
    return reverse("events:detail", kwargs={"pk": event.pk})


def _answer(response) -> tuple:
    return response.status_code, response.content, list(response.items())


def _through(path: str, method: str = "get", front: bool = True, **extra):
    """The request's answer with the front in MIDDLEWARE (as settings has it) or without
    (a changed setting makes the front forget what it learned)."""
    if front:
        return getattr(Client(), method)(path, **extra)
    with override_settings(MIDDLEWARE=[name for name in settings.MIDDLEWARE if name != FRONT]):
        return getattr(Client(), method)(path, **extra)


def _same_both_ways(path: str, method: str = "get", **extra):
    behind = _answer(_through(path, method, front=False, **extra))
    answers = []
    for _ in range(3):  # the first of its kind teaches the front its headers
        front = _through(path, method, **extra)
        answers.append(hasattr(front.wsgi_request, "LANGUAGE_CODE"))
        assert _answer(front) == behind, (method, path, extra)
    return front, answers


def test_the_front_stands_right_inside_the_metrics_and_the_outage_layers():
    assert settings.MIDDLEWARE.index(FRONT) == 2
    assert settings.MIDDLEWARE[:2] == [
        "kaisai.core.metrics.RequestMetricsMiddleware",
        "kaisai.core.unavailable.DatabaseUnavailableMiddleware",
    ]


def test_a_hit_is_answered_in_front_of_the_outer_layers(event, make_frame):
    make_frame()
    client = Client(**JA)
    miss = client.get(_url(event))
    client.get(_url(event))  # the first hit of its kind: through the layers
    hit = client.get(_url(event))
    request = hit.wsgi_request
    assert not hasattr(request, "LANGUAGE_CODE")  # LocaleMiddleware did not run
    assert not hasattr(request, "csp_nonce")  # nor django-csp's
    assert request.resolver_match.view_name == "events:detail"
    assert _answer(hit) == _answer(client.get(_url(event)))
    assert hit.content == miss.content and hit["Content-Language"] == "ja"


@pytest.mark.parametrize(("method", "tail", "extra", "in_front"), KINDS)
def test_every_kind_of_request_gets_the_same_answer_as_behind_the_front(
    event, make_frame, method, tail, extra, in_front
):
    make_frame()
    Client().get(_url(event))
    Client(HTTP_ACCEPT_LANGUAGE="en").get(_url(event))
    _, through_the_layers = _same_both_ways(_url(event) + tail, method, **extra)
    assert through_the_layers == [True, not in_front, not in_front]


def test_a_miss_a_draft_an_unknown_event_and_other_paths_are_as_behind_the_front(event, make_frame):
    make_frame()
    _same_both_ways(_url(event).rstrip("/"))  # the redirect to the slash
    _same_both_ways(reverse("events:detail", kwargs={"pk": event.pk + 999}))
    _same_both_ways("/events/")
    _same_both_ways("/events/x/")
    cache.clear()
    behind = _answer(_through(_url(event), front=False))
    cache.clear()
    assert _answer(_through(_url(event))) == behind  # a miss, rendered by the view
    event.status = EventStatus.DRAFT
    event.save()
    _same_both_ways(_url(event))


@override_settings(SECURE_HSTS_SECONDS=3600, X_FRAME_OPTIONS="SAMEORIGIN")
def test_the_headers_follow_the_settings_and_the_scheme(event, make_frame):
    make_frame()
    Client().get(_url(event))
    kinds = ({"secure": True}, {}, {"secure": True, **JA}, {"secure": True})
    behind = [_answer(_through(_url(event), front=False, **kind)) for kind in kinds]
    for kind, answer in zip(kinds * 2, behind * 2, strict=True):  # learned, then in front
        assert _answer(_through(_url(event), **kind)) == answer, kind
    secure, plain = (dict(answer[2]) for answer in behind[:2])
    assert secure["X-Frame-Options"] == "SAMEORIGIN"
    assert secure["Strict-Transport-Security"] == "max-age=3600"
    assert "Strict-Transport-Security" not in plain


def test_a_change_is_seen_at_once_by_the_front(event, make_frame):
    make_frame()
    client = Client(**JA)
    for _ in range(3):
        client.get(_url(event))
    event.title = "A title changed just now"
    event.save()
    response = client.get(_url(event))
    assert b"A title changed just now" in response.content
    assert response["Content-Length"] == str(len(response.content))
    assert _answer(response) == _answer(_through(_url(event), front=False, **JA))


def test_a_front_hit_is_counted_in_the_metrics(event, make_frame):
    make_frame()
    labels = REQUEST_SECONDS.labels("GET", "events:detail", "2xx")
    for _ in range(2):
        Client().get(_url(event))
    before = labels._sum.get(), _count(labels)
    hit = Client().get(_url(event))
    assert not hasattr(hit.wsgi_request, "LANGUAGE_CODE")
    assert _count(labels) == before[1] + 1 and labels._sum.get() > before[0]


def _count(labels) -> float:
    return sum(bucket.get() for bucket in labels._buckets)


def test_an_outage_in_the_front_is_the_503_of_the_layers_behind(event, make_frame, monkeypatch):
    make_frame()
    for _ in range(2):
        Client().get(_url(event))
    reads = []

    def refused(pk):
        reads.append(pk)
        raise OperationalError("connection refused")

    monkeypatch.setattr(event_page_cache, "fingerprint", refused)
    front = _through(_url(event))
    assert front.status_code == 503 and front["Retry-After"]
    assert len(reads) == 1  # the database is not asked twice
    assert _answer(front) == _answer(_through(_url(event), front=False))
