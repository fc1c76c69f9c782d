"""Who may do what with recaps: the one place that says it (docs/recap.md, docs/permissions.md).

- `can_write_recap`: the event's owners and organizers draft, edit and publish the recap.
- `can_see_recap`: a published recap of a public event, for everyone; a draft, for the
  event's owners and organizers only.
- `can_add_external_recap`: people registered for the event (accepted, waitlisted or applied;
  not cancelled), its speakers and its organizers, once the event has started.
- `can_remove_external_recap`: the person who linked it and the event's organizers.
"""

from __future__ import annotations

from django.utils import timezone

from kaisai.events.access import Viewer, can_see_event
from kaisai.events.models import Event
from kaisai.groups.permissions import can_manage_events
from kaisai.recaps.models import ExternalRecap, Recap
from kaisai.registrations.selectors import registration_of
from kaisai.talks.selectors_materials import speaker_talk_ids


def can_write_recap(user: Viewer, event: Event) -> bool:
    return can_manage_events(user, event.group)


def can_see_recap(user: Viewer, recap: Recap) -> bool:
    if not can_see_event(user, recap.event):
        return False
    return recap.is_published or can_write_recap(user, recap.event)


def is_participant(user: Viewer, event: Event) -> bool:
    """Registered for the event (not cancelled), or one of its speakers."""
    if user is None or not user.is_authenticated:
        return False
    return registration_of(event, user) is not None or bool(speaker_talk_ids(user, event))


def can_add_external_recap(user: Viewer, event: Event) -> bool:
    if user is None or not user.is_authenticated or not event.is_public:
        return False
    if event.starts_at > timezone.now():
        return False
    return can_manage_events(user, event.group) or is_participant(user, event)


def can_remove_external_recap(user: Viewer, external: ExternalRecap) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if external.user_id is not None and external.user_id == user.pk:
        return True
    return can_manage_events(user, external.event.group)
