"""Who may read or change an event's registrations: one rule for the web pages and the API
(docs/permissions.md, "Registrations").

- owner and organizer ("managers"): everything — the list, each registration with its
  answers and e-mail address, actions, notes, the CSV export and the log;
- reception: what the door needs, read-only — who is registered (name, nickname, frame,
  status, waitlist position, after-party), their questionnaire answers and the organizers'
  note; no e-mail addresses (not shown, not searchable), no export, no log, no changes
  (checking people in is the reception's own rule in kaisai.checkin);
- anyone else: 403; a draft of a group the user may not manage: 404 (kaisai.events.access).
"""

from __future__ import annotations

from kaisai.events.access import Viewer, managed_event_or_403, reception_event_or_403
from kaisai.events.models import Event
from kaisai.groups.permissions import can_do_reception, can_manage_events


def can_read_registrations(user: Viewer, event: Event) -> bool:
    return can_do_reception(user, event.group)


def can_manage_registrations(user: Viewer, event: Event) -> bool:
    """Change registrations, see and search e-mail addresses, export, read the log."""
    return can_manage_events(user, event.group)


def readable_registrations_or_403(user: Viewer, pk: int) -> tuple[Event, bool]:
    """The event whose registrations `user` may read, and whether they may also manage
    them. 404 if the event is unseen, 403 without a role in its group."""
    event = reception_event_or_403(user, pk)
    return event, can_manage_registrations(user, event)


def managed_registrations_or_403(user: Viewer, pk: int) -> Event:
    """The event whose registrations `user` may change or export (owners and organizers)."""
    return managed_event_or_403(user, pk)
