from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from kaisai.events.access import PUBLIC_STATUSES, public_only
from kaisai.events.models import Event
from kaisai.groups.models import Organizer

LISTED_STATUSES = list(PUBLIC_STATUSES)


def public_events() -> QuerySet[Event]:
    return public_only(Event.objects.select_related("group"))


def upcoming_public_events() -> QuerySet[Event]:
    return public_events().filter(ends_at__gte=timezone.now()).order_by("starts_at", "id")


def past_public_events() -> QuerySet[Event]:
    return public_events().filter(ends_at__lt=timezone.now()).order_by("-starts_at", "-id")


def upcoming_events_of_group(group) -> QuerySet[Event]:
    """The group's listed events that have not ended yet, soonest first."""
    return upcoming_public_events().filter(group=group)


def past_events_of_group(group) -> QuerySet[Event]:
    """The group's listed events that have ended, latest first."""
    return past_public_events().filter(group=group)


def event_for_page() -> QuerySet[Event]:
    """Events with what their page shows: group, its organizers and the sponsors, in a
    fixed number of queries whatever the number of sponsors or organizers."""
    return Event.objects.select_related("group").prefetch_related(
        "sponsors",
        Prefetch(
            "group__organizers",
            queryset=Organizer.objects.select_related("user").order_by("added_at", "id"),
        ),
    )
