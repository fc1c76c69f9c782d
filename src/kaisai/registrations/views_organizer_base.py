"""Who may open the organizer pages of an event's registrations.

- owner and organizer: everything (`kaisai.events.access.managed_event_or_403`);
- reception: the registrations list and a registration's page, read-only
  (`can_do_reception`);
- anyone else: 403 (anonymous users are sent to the login page by `@login_required`);
  a draft of a group the user may not manage is 404 (`kaisai.events.access`).
"""

from __future__ import annotations

from django.http import HttpRequest

from kaisai.events.models import Event
from kaisai.registrations.access import readable_registrations_or_403


def reception_event(request: HttpRequest, pk: int) -> tuple[Event, bool]:
    """The event for read-only pages (any organizer role). Returns (event, can_manage).
    The rule is kaisai.registrations.access, which the API uses too."""
    return readable_registrations_or_403(request.user, pk)
