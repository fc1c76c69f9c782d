"""The public event page served whole from the shared cache (docs/caching.md).

Who gets it: GET or HEAD without a query string, from a visitor who is not logged in and has
no messages waiting. The key is a hash of the page's fingerprint (site/event_page_fingerprint:
every row and column the page shows, read in one statement), which of the page's instants
have passed (windows opening and closing, the event held), the language, the path and the
code's version. A draft is never cached: it falls through to the ordinary view, whose access
rule answers 404 to anonymous visitors.

A miss renders the page in one read snapshot with the fingerprint read in the same snapshot,
so what is stored under a key is exactly the page of the state the key describes. The page
has no per-visitor part (the language switch needs no CSRF token: site/views_language.py);
should a CSRF token ever be rendered into it, it is stored as a placeholder and replaced by
the visitor's own token on every answer, and such a page is not served by the early path.

The early path (site/event_page_early.py) answers a hit before the session, CSRF,
authentication and messages layers, for a visitor who has no session and no messages cookie:
`early_answer`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.core.cache import cache as shared_cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language

import kaisai
from kaisai.core.snapshot import read_snapshot
from kaisai.events.enums import EventStatus
from kaisai.site.event_page_fingerprint import Fingerprint, fingerprint

CACHE_SECONDS = 600
_SOURCES = (".py", ".html", ".txt", ".mo", ".css", ".js", ".svg")


def plain_read(request: HttpRequest) -> bool:
    """A GET or HEAD without a query string from a visitor with no messages cookie: the
    requests any variant of the shared page may answer."""
    return (
        request.method in ("GET", "HEAD")
        and not request.META.get("QUERY_STRING")
        and CookieStorage.cookie_name not in request.COOKIES
    )


def cacheable(request: HttpRequest) -> bool:
    """Whether this visitor gets the shared page: anonymous, nothing personal to show."""
    if not plain_read(request):
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        # A session without a login (one query to know): anonymous unless it holds messages.
        if request.user.is_authenticated:
            return False
        if SessionStorage.session_key in request.session:
            return False
    return True


@cache
def code_version() -> str:
    """A digest of the code, templates, translations and static files that make the page: a
    deployment of other code never reads this one's pages."""
    digest = hashlib.blake2b(kaisai.__name__.encode(), digest_size=16)
    root = Path(kaisai.__file__).parent
    for path in sorted(root.rglob("*")):
        if path.suffix in _SOURCES and "__pycache__" not in path.parts and path.is_file():
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@cache
def csrf_placeholder() -> str:
    """Stands for the CSRF token in stored pages; derived from SECRET_KEY, so nobody can put
    it in an event's text to have a token written there."""
    return "csrf" + salted_hmac("kaisai.event-page", "csrf-placeholder").hexdigest()[:40]


def page_key(
    request: HttpRequest, pk: int, shown: Fingerprint, now: datetime, language: str | None = None
) -> str:
    """The page's key; `language` when it is not (yet) the active one (the front)."""
    parts = (
        code_version(),
        # The settings the page shows (read each time: tests change them).
        (settings.BASE_URL, settings.STATIC_URL, settings.MEDIA_URL, settings.DEMO_MAILBOX),
        language or get_language(),
        request.path,
        shown.digest,
        shown.time_state(now),
    )
    return f"event-page:{pk}:{hashlib.blake2b(repr(parts).encode(), digest_size=20).hexdigest()}"


# What the cache holds under a page's key: the page, and whether it holds the CSRF
# placeholder (then each answer needs the visitor's token, which the early path cannot give).
Stored = tuple[bytes, bool]


def with_token(request: HttpRequest, content: bytes) -> bytes:
    """`content` with the CSRF placeholder, if any, made this visitor's own token."""
    placeholder = csrf_placeholder().encode()
    if placeholder not in content:
        return content
    return content.replace(placeholder, get_token(request).encode())


def _answer(request: HttpRequest, stored: Stored) -> HttpResponse:
    content, has_token = stored
    return HttpResponse(with_token(request, content) if has_token else content)


def shown_for(request: HttpRequest, pk: int) -> Fingerprint | None:
    """The fingerprint the early path read for this request, or read now."""
    early = getattr(request, "_event_page_shown", None)
    return early[1] if early is not None and early[0] == pk else fingerprint(pk)


def _public(shown: Fingerprint | None) -> bool:
    return shown is not None and shown.status != EventStatus.DRAFT


def stored_page(request: HttpRequest, pk: int, language: str | None = None) -> bytes | None:
    """The stored page (in `language`, else the active one) for a visitor without a session or
    messages, if it needs no per-visitor token; None otherwise: then the request goes on
    through every layer to the view, which reuses the fingerprint read here (one query in all;
    the front, site/event_page_front.py, reads it first and the early path reuses it)."""
    shown = shown_for(request, pk)
    request._event_page_shown = (pk, shown)  # type: ignore[attr-defined]
    if not _public(shown):
        return None
    assert shown is not None
    stored: Stored | None = shared_cache.get(page_key(request, pk, shown, timezone.now(), language))
    if stored is None or stored[1]:
        return None
    return stored[0]


def early_answer(request: HttpRequest, pk: int) -> HttpResponse | None:
    """`stored_page` as the answer of the early path (site/event_page_early.py), or None."""
    content = stored_page(request, pk)
    return None if content is None else HttpResponse(content)


def cached_page(
    request: HttpRequest, pk: int, render: Callable[[dict], HttpResponse]
) -> HttpResponse:
    """The page from the cache, or rendered by `render(extra_context)` and stored. Only for a
    `cacheable` request."""
    shown = shown_for(request, pk)
    if not _public(shown):
        return render({})  # no such event (404), or a draft: its access rule decides
    assert shown is not None
    stored: Stored | None = shared_cache.get(page_key(request, pk, shown, timezone.now()))
    if stored is not None:
        return _answer(request, stored)
    with read_snapshot():
        shown = fingerprint(pk)  # what the render below reads, in the same snapshot
        if not _public(shown):
            return render({})
        assert shown is not None
        now = timezone.now()
        response = render({"csrf_token": csrf_placeholder()})
        # The render read the time in between: stored only if no instant passed meanwhile.
        same_time = shown.time_state(now) == shown.time_state(timezone.now())
    stored = (response.content, csrf_placeholder().encode() in response.content)
    if response.status_code == 200 and same_time:
        shared_cache.set(page_key(request, pk, shown, now), stored, CACHE_SECONDS)
    return _answer(request, stored)
