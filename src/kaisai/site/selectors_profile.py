"""What a person's profile shows: the events they organized, attended and presented at. It
reads events, groups, check-ins and talks, so it is the site's."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from kaisai.accounts.models import User
from kaisai.checkin.selectors import public_events_attended_by
from kaisai.events.enums import EventStatus
from kaisai.events.models import Event
from kaisai.groups.enums import ORGANIZING_ROLES
from kaisai.groups.models import Organizer
from kaisai.talks.enums import MaterialKind, TalkState
from kaisai.talks.models import Material, Talk

PROFILE_EVENT_STATUSES = [EventStatus.PUBLISHED, EventStatus.CANCELLED, EventStatus.POSTPONED]


def events_organized_by(user: User) -> QuerySet[Event]:
    """Public events of the groups the person owns or co-organizes, newest first."""
    groups = Organizer.objects.filter(user=user, role__in=ORGANIZING_ROLES).values("group_id")
    return (
        Event.objects.filter(group_id__in=groups, status__in=PROFILE_EVENT_STATUSES)
        .select_related("group")
        .order_by("-starts_at", "-id")
    )


def events_attended_by(user: User) -> QuerySet[Event]:
    """Public events the person checked in at, newest first (from the check-in records)."""
    return public_events_attended_by(user)


def events_presented_by(user: User) -> QuerySet[Event]:
    """Held public events where the person gave an accepted talk, newest first. Each event
    carries `presented_talks` (the person's accepted talks there, each with `slides`: its
    Material rows of kind slide): three queries whatever the number of events and talks."""
    talks = (
        Talk.objects.filter(state=TalkState.ACCEPTED, speakers__user=user)
        .prefetch_related(
            Prefetch(
                "materials",
                queryset=Material.objects.filter(kind=MaterialKind.SLIDE).order_by(
                    "created_at", "id"
                ),
                to_attr="slides",
            )
        )
        .order_by("id")
        .distinct()
    )
    presented = Talk.objects.filter(state=TalkState.ACCEPTED, speakers__user=user)
    return (
        Event.objects.filter(
            status=EventStatus.PUBLISHED,
            ends_at__lte=timezone.now(),
            pk__in=presented.values("event_id"),
        )
        .select_related("group")
        .prefetch_related(Prefetch("talks", queryset=talks, to_attr="presented_talks"))
        .order_by("-starts_at", "-id")
    )
