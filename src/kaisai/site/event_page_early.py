"""The early path of the public event page (docs/caching.md): a visitor with no session and
no messages waiting is anonymous with nothing personal to show, so a page already in the
shared cache is answered here — before the session, CSRF, authentication, messages,
two-factor, allauth and htmx layers, URL resolution and the view. In `MIDDLEWARE` it stands
just before those layers (`WebOnlyStart`), after the ones every answer needs (security
headers, CSP, the language, common, frame options), which still shape this answer.

A miss, a draft, an unknown event or any other visitor goes on through every layer as
before; the view then reuses the fingerprint read here (site/event_page_cache.py).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, ResolverMatch, resolve
from django.utils.cache import patch_vary_headers

from kaisai.core.unavailable import OUTAGE_ERRORS, outage_response
from kaisai.site import event_page_cache

Handler = Callable[[HttpRequest], HttpResponse]
VIEW_NAME = "events:detail"
PREFIX = "/events/"  # of every event page's path (a test holds it to the URLconf)
# request._event_page_front when the front (site/event_page_front.py) read the fingerprint and
# found nothing to answer; an outage error when that read failed.
MISSED = "missed"


@lru_cache(maxsize=4096)
def _event_page(path: str) -> ResolverMatch | None:
    """The URL match of `path` when it is an event page (resolved once per path)."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match if match.view_name == VIEW_NAME else None


def _without_state(request: HttpRequest) -> bool:
    """No query string, no session and no messages: nothing in the page can be personal."""
    return (
        event_page_cache.plain_read(request) and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


class EventPageHitMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(PREFIX) and _without_state(request):
            match = _event_page(request.path_info)
            if match is not None:
                request.resolver_match = match  # for the metrics' view label
                request.user = AnonymousUser()
                front = getattr(request, "_event_page_front", None)
                if front == MISSED:
                    return self.get_response(request)  # nothing stored: the view reuses the read
                try:
                    if isinstance(front, Exception):
                        raise front  # the front's read met an outage: answered here, as before
                    response = event_page_cache.early_answer(request, match.kwargs["pk"])
                except OUTAGE_ERRORS as error:
                    outage = outage_response(request, error)
                    if outage is None:
                        raise
                    return outage
                if response is not None:
                    # As the ordinary path answers: the page differs for a logged-in visitor.
                    patch_vary_headers(response, ("Cookie",))
                    response._event_page_hit = True  # type: ignore[attr-defined]  # for the front
                    return response
        return self.get_response(request)
