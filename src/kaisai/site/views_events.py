"""The event page: the event with its frames (registrations) and its talks, timetable and
materials (talks). Each app gives its part as a selector; this page puts them together."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kaisai.core.holes import COLLECTOR
from kaisai.events import services
from kaisai.events.access import visible_event_or_404
from kaisai.events.models import Event
from kaisai.events.selectors import event_for_page, page_sponsors
from kaisai.events.share import share_links
from kaisai.events.text import event_summary
from kaisai.groups.permissions import can_do_reception, can_manage_events
from kaisai.recaps.selectors import event_page_context as recap_context
from kaisai.recaps.selectors import page_annotations as recap_annotations
from kaisai.registrations.selectors_event_page import event_page_frames
from kaisai.registrations.selectors_event_page import page_annotations as frame_annotations
from kaisai.registrations.selectors_participants import event_page_participants
from kaisai.site import event_page_cache, event_page_user
from kaisai.talks.sections import page_annotations as talk_annotations
from kaisai.talks.sections import talk_sections


def _absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else settings.BASE_URL + url


def _page_queryset() -> QuerySet[Event]:
    """The event with what its page shows, folded into its own query where the parts allow:
    the recap (one to one) and the counts of the talks' and recaps' parts."""
    return (
        event_for_page()
        .select_related("recap")
        .annotate(**frame_annotations(), **talk_annotations(), **recap_annotations())
    )


def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Anonymous visitors get the page from the shared cache, under a key that changes with
    everything it shows (site/event_page_cache.py, docs/caching.md); logged-in visitors too,
    with their own parts rendered for them (site/event_page_user.py)."""
    if event_page_cache.cacheable(request):
        return event_page_cache.cached_page(
            request, pk, lambda extra: _event_detail(request, pk, extra)
        )
    if event_page_user.servable(request):
        return event_page_user.cached_page(
            request, pk, lambda extra: _event_detail(request, pk, extra)
        )
    return _event_detail(request, pk, {})


def _event_detail(request: HttpRequest, pk: int, extra: dict[str, Any]) -> HttpResponse:
    event = visible_event_or_404(request.user, pk, queryset=_page_queryset())
    is_organizer = can_do_reception(request.user, event.group)  # any role in the group
    can_manage = is_organizer and can_manage_events(request.user, event.group)
    # Rendered for sharing (event_page_user), the visitor's own parts are holes filled per
    # answer with their own registration: the shared render reads none.
    visitor = AnonymousUser() if COLLECTOR in extra else request.user
    frames_part = event_page_frames(event, visitor, is_organizer=is_organizer)
    context = {
        "event": event,
        "sponsors": page_sponsors(event),
        "organizers": list(event.group.organizers.all()),
        "is_organizer": is_organizer,
        "can_manage": can_manage,
        "transitions": services.allowed_transitions(event) if can_manage else frozenset(),
        "og_url": _absolute(event.get_absolute_url()),
        "og_description": event_summary(event),
        "og_image": _absolute(event.image.url) if event.image else "",
        **frames_part,
        **talk_sections(request, event, can_manage=can_manage, frames=frames_part["frames"]),
        # Participants list summary and share links (events/_event_social.html)
        "participants": event_page_participants(event, frames_part["frames"]),
        "share_links": []
        if event.status == "draft"
        else share_links(_absolute(event.get_absolute_url()), event.title, event.hashtag),
        **recap_context(request, event, can_manage=can_manage),
        **extra,
    }
    return render(request, "events/event_detail.html", context)
