"""The front of the public event page's early path (docs/caching.md): a stored page for a
visitor without a session is answered here, in front of the outer layers too — security
headers, CSP, WhiteNoise, the language, common, frame options — with the headers those layers
gave the same answer before.

The headers are learned, not written out here: the first request of a kind goes the whole way
(the outer layers, then site/event_page_early.EventPageHitMiddleware's hit), and the headers
of that answer are kept for its kind — the path, the language the visitor is given (chosen as
LocaleMiddleware chooses it), the method and the scheme: everything those layers read from such
a request. Then a hit of the same kind gets the stored page and those headers, with its own
Content-Length (the only header that depends on the page). A visitor's host is validated as
CommonMiddleware does; a request those layers could answer otherwise (an API key or
authorization header, settings that redirect to www or refuse user agents, language prefixes
in URLs) goes the whole way, every time.

A miss, a draft, an unknown event or a database outage goes on through every layer, and
EventPageHitMiddleware and the view reuse what was read here (one statement in all); an outage
is answered there, as before, with every layer's headers.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import DisallowedHost
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from kaisai.core.unavailable import OUTAGE_ERRORS
from kaisai.site import event_page_cache
from kaisai.site.event_page_early import MISSED, PREFIX, Handler, _event_page, _without_state

# The headers of an early answer, by kind of request: (path, language, method, secure) →
# ResponseHeaders' store (lower-cased name → (name, value)). Bounded: cleared when full.
_learned: dict[tuple[str, str, str, bool], dict[str, tuple[str, str]]] = {}
LEARNED_MAX = 4096
LENGTH = "content-length"


@receiver(setting_changed)
def _forget(**_: Any) -> None:
    _learned.clear()


def _plain(request: HttpRequest) -> bool:
    """Nothing in the request that the outer layers answer otherwise than by the kind's
    headers: no credentials (private answers), no www redirect or refused user agents, a
    valid host."""
    meta = request.META
    if "HTTP_AUTHORIZATION" in meta or "HTTP_X_API_KEY" in meta:
        return False
    if settings.PREPEND_WWW or settings.DISALLOWED_USER_AGENTS:
        return False
    try:
        request.get_host()  # CommonMiddleware's check of ALLOWED_HOSTS
    except DisallowedHost:
        return False
    return True


def _language(request: HttpRequest) -> str | None:
    """The language LocaleMiddleware gives this request, or None when its URLs may carry a
    language prefix (then the path decides, and this front steps aside)."""
    urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
    if is_language_prefix_patterns_used(urlconf)[0]:
        return None
    return translation.get_language_from_request(request, check_path=False)


class EventPageFrontMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if not (path.startswith(PREFIX) and _without_state(request) and _plain(request)):
            return self.get_response(request)
        match = _event_page(path)
        language = _language(request) if match is not None else None
        if match is None or language is None:
            return self.get_response(request)
        kind = (path, language, request.method or "", request.is_secure())
        pk = match.kwargs["pk"]
        try:
            content = event_page_cache.stored_page(request, pk, language)
        except OUTAGE_ERRORS as error:
            # Answered by EventPageHitMiddleware, inside the outer layers, as before.
            request._event_page_front = error  # type: ignore[attr-defined]
            return self.get_response(request)
        if content is None:  # a miss, a draft, no such event: on to the view
            request._event_page_front = MISSED  # type: ignore[attr-defined]
            return self.get_response(request)
        headers = _learned.get(kind)
        if headers is None:
            # The first of its kind: answered by EventPageHitMiddleware (with the fingerprint
            # read here), its headers learned.
            response = self.get_response(request)
            if (
                getattr(response, "_event_page_hit", False)
                and response.status_code == 200
                and not response.cookies  # nothing per visitor beyond the headers
            ):
                if len(_learned) >= LEARNED_MAX:
                    _learned.clear()
                _learned[kind] = response.headers._store.copy()
            return response
        request.resolver_match = match  # for the metrics' view label
        request.user = AnonymousUser()
        response = HttpResponse(content)
        store = headers.copy()
        if LENGTH in store:
            store[LENGTH] = (store[LENGTH][0], str(len(content)))
        response.headers._store = store  # the learned headers, in their order
        return response
