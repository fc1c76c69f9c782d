from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.db.models import DateTimeField, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from kaisai.core.subqueries import RowsOf
from kaisai.events.access import PUBLIC_STATUSES, public_only
from kaisai.events.models import Event, Sponsor
from kaisai.groups.models import Organizer

LISTED_STATUSES = list(PUBLIC_STATUSES)


def public_events() -> QuerySet[Event]:
    return public_only(Event.objects.select_related("group"))


# `moment - (the longest duration of any stored event)`, the max read from the expression index
# event_duration (migration events.0008, PostgreSQL only): one index entry, whatever the number
# of events. An event stored before events.bounds may last millennia: when the subtraction
# would fall before PostgreSQL's first timestamp, the bound is -infinity (no bound) instead of
# an error. A negative max (refused by event_ends_after_start anyway) counts as zero.
_STARTED_SINCE = (
    "(SELECT CASE WHEN longest.d >= %s - timestamptz '4714-11-24 00:00:00+00 BC' "
    "THEN timestamptz '-infinity' ELSE %s - GREATEST(longest.d, interval '0') END "
    "FROM (SELECT max(ends_at - starts_at) AS d FROM events_event) longest)"
)


def ending_from_q(moment: datetime) -> Q:
    """Events still on or to come at `moment` (ends_at >= moment). On PostgreSQL also
    `starts_at >= moment - (longest duration of any event)`: implied by the first (an event
    that ends at or after `moment` started at most its duration, so at most the longest one,
    before it), so the answer is the same, but a walk of `event_starts_id` starts near
    `moment` instead of at the first event ever, and the bitmap plans get one more index to
    AND. SQLite keeps the plain condition. docs/search.md, "Upcoming events"."""
    ending = Q(ends_at__gte=moment)
    if connection.vendor != "postgresql":
        return ending
    since = RawSQL(_STARTED_SINCE, [moment, moment], output_field=DateTimeField())  # noqa: S611
    return ending & Q(starts_at__gte=since)


def upcoming_public_events() -> QuerySet[Event]:
    return public_events().filter(ending_from_q(timezone.now())).order_by("starts_at", "id")


def past_public_events() -> QuerySet[Event]:
    return public_events().filter(ends_at__lt=timezone.now()).order_by("-starts_at", "-id")


def upcoming_events_of_group(group) -> QuerySet[Event]:
    """The group's listed events that have not ended yet, soonest first."""
    return upcoming_public_events().filter(group=group)


def past_events_of_group(group) -> QuerySet[Event]:
    """The group's listed events that have ended, latest first."""
    return past_public_events().filter(group=group)


SPONSORS = RowsOf(lambda: Sponsor.objects.all(), parent="event")


def event_for_page() -> QuerySet[Event]:
    """Events with what their page shows: group, its organizers and the sponsors (in the
    event's own row: `page_sponsors`), in a fixed number of queries whatever the number of
    sponsors or organizers."""
    return (
        Event.objects.select_related("group")
        .prefetch_related(
            Prefetch(
                "group__organizers",
                queryset=Organizer.objects.select_related("user").order_by("added_at", "id"),
            ),
        )
        .annotate(sponsor_rows=SPONSORS())
    )


def page_sponsors(event: Event) -> list[Sponsor]:
    """The event's sponsors in their order, from `event_for_page`'s row (no query)."""
    return SPONSORS.load(event.sponsor_rows)  # type: ignore[attr-defined,return-value]
