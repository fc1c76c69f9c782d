"""Who may open the organizer pages of an event's registrations.

- owner and organizer: everything (`can_manage_events`);
- reception: the registrations list and a registration's page, read-only
  (`can_do_reception`);
- anyone else: 403 (anonymous users are sent to the login page by `@login_required`).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from kaisai.events.models import Event
from kaisai.groups.permissions import can_do_reception, can_manage_events, require


def managed_event(request: HttpRequest, pk: int) -> Event:
    """The event, 404 if unknown, 403 unless the user is its group's owner or organizer."""
    event = get_object_or_404(Event.objects.select_related("group"), pk=pk)
    require(can_manage_events(request.user, event.group))
    return event


def reception_event(request: HttpRequest, pk: int) -> tuple[Event, bool]:
    """The event for read-only pages (any organizer role). Returns (event, can_manage)."""
    event = get_object_or_404(Event.objects.select_related("group"), pk=pk)
    require(can_do_reception(request.user, event.group))
    return event, can_manage_events(request.user, event.group)
