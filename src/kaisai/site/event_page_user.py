"""The public event page for a logged-in visitor, from the shared cache with their own parts
rendered per answer (docs/caching.md; hole punching, core/holes.py).

Who gets it: a GET or HEAD of the page without a query string, from a logged-in visitor with
no messages waiting, who is not an organizer of the event's group (any role: the organizers
see the page's management part, rendered for them), of a published event that has not
started and has no linked posts (after the start, whether a visitor may link or remove a post
depends on them: that page is rendered for them). `KAISAI_EVENT_PAGE_USER_CACHE` switches it
off.

The shared page is stored under the anonymous page's key (event_page_cache.page_key: the
fingerprint, time state, language, path, code) marked as the logged-in variant. One read
snapshot holds the fingerprint (the key), on a miss the shared render, and the visitor's
registration: the fingerprint is read once, a stored page is exactly the state its key
names, and it is stored only if no instant passed meanwhile. In it each of the visitor's own
parts is a hole (the header's name and logout form, the apply button or the visitor's status,
each frame's button and "mine" mark, the information for accepted participants); the shared
render reads no visitor's registration. Per answer: the session and the user, the
fingerprint, and the visitor's registration to the event (one query, with its waitlist
position) — then the holes' fragments are rendered with them (4 queries; a miss adds the
page's own). The fragments are the templates the full render includes, so the page is the
visitor's full page.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.messages.storage.session import SessionStorage
from django.core.cache import cache as shared_cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from kaisai.core.holes import COLLECTOR, Collector, Punched
from kaisai.core.snapshot import read_snapshot
from kaisai.events.enums import EventStatus
from kaisai.events.models import Event
from kaisai.groups.models import Organizer
from kaisai.registrations.selectors_participant import latest_registration
from kaisai.site import event_page_cache, event_page_fragments
from kaisai.site.event_page_fingerprint import PARTS, Fingerprint, fingerprint

_PART = {name: index for index, name in enumerate(PARTS)}
# How long a visitor whose page is not shared (an organizer; a started event) gets it rendered
# without the fingerprint being read first to decide: the full render is right for anyone, so
# this only delays their getting the shared page, never shows anything stale.
RENDERED_FOR_SECONDS = 60


def servable(request: HttpRequest) -> bool:
    """Whether the request may get the logged-in variant (the event decides the rest)."""
    if not settings.KAISAI_EVENT_PAGE_USER_CACHE:
        return False
    if not event_page_cache.plain_read(request) or not request.user.is_authenticated:
        return False
    return SessionStorage.session_key not in request.session


@cache
def _organizer_user_column() -> int:
    """Where the organizers' part of the fingerprint has each organizer's user id."""
    names = [field.attname for field in Organizer._meta.concrete_fields]
    return names.index("user_id")


def shares_page(shown: Fingerprint | None, user_id: int, now: datetime) -> bool:
    """Whether this event's page is shared between its logged-in visitors, for this one."""
    if shown is None or shown.status == EventStatus.DRAFT:
        return False
    if now >= shown.starts_at or json.loads(shown.parts[_PART["external_recaps"]] or "[]"):
        return False
    column = _organizer_user_column()
    organizers = json.loads(shown.parts[_PART["organizers"]] or "[]")
    return all(row[column] != user_id for row in organizers)


def _rendered_for_key(pk: int, user_id: int) -> str:
    return f"event-page-rendered-for:{pk}:{user_id}"


def _key(request: HttpRequest, pk: int, shown: Fingerprint, now: datetime) -> str:
    return event_page_cache.page_key(request, pk, shown, now) + ":logged-in"


def personal(request: HttpRequest, pk: int) -> dict[str, Any]:
    """The visitor's own values, as the full render has them (views_events,
    selectors_event_page.event_page_frames), as plain data (event_page_fragments): one
    query, their registration. The CSRF token is the placeholder, made theirs per answer."""
    registration = latest_registration(Event(pk=pk), request.user, with_position=True)
    return event_page_fragments.own_values(
        request.user, registration, event_page_cache.csrf_placeholder()
    )


def _answer(request: HttpRequest, page: Punched, own: dict[str, Any]) -> HttpResponse:
    """The page with the visitor's fragments (kept per process under all their inputs:
    event_page_fragments) and their own CSRF token, masked anew, in place of the placeholder."""
    content = page.assemble(event_page_fragments.renderer(own))
    return HttpResponse(event_page_cache.with_token(request, content))


def cached_page(
    request: HttpRequest, pk: int, render: Callable[[dict], HttpResponse]
) -> HttpResponse:
    """The page from the shared cache with the visitor's holes filled, or rendered in full
    (`render(extra_context)`) when this event's page is not shared for them. Only for a
    `servable` request.

    One read snapshot holds the fingerprint (the key), on a miss the shared render, and the
    visitor's registration: the fingerprint is read once, the page stored is exactly the
    state its key names, and the visitor's holes are filled from that same state."""
    user_id = int(request.user.pk or 0)  # logged in (servable): never 0
    rendered_for = _rendered_for_key(pk, user_id)
    if shared_cache.get(rendered_for):
        return render({})  # the page is theirs alone (an organizer): no statement to decide
    store = None  # the key to store a page rendered here under
    with read_snapshot():
        shown = fingerprint(pk)
        now = timezone.now()
        if not shares_page(shown, user_id, now):
            page = None
        else:
            assert shown is not None
            key = _key(request, pk, shown, now)
            page = shared_cache.get(key)
            if page is None:
                page, response = _render_shared(render)
                if page is None:
                    return response  # not a page (not 200)
                # The render read the time in between: stored only if no instant passed.
                if shown.time_state(now) == shown.time_state(timezone.now()):
                    store = key
            own = personal(request, pk)
    if page is None:
        shared_cache.set(rendered_for, True, RENDERED_FOR_SECONDS)
        return render({})  # after the snapshot: the full render reads in its own time
    if store is not None:
        shared_cache.set(store, page, event_page_cache.CACHE_SECONDS)
    return _answer(request, page, own)


def _render_shared(
    render: Callable[[dict], HttpResponse],
) -> tuple[Punched | None, HttpResponse]:
    """The page rendered for sharing (its holes as markers), or None with the response when
    it is not a page (not 200)."""
    collector = Collector()
    extra = {COLLECTOR: collector, "csrf_token": event_page_cache.csrf_placeholder()}
    response = render(extra)
    if response.status_code != 200:
        return None, response
    return Punched.of(response.content, collector), response
