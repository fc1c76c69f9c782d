"""Groups seen with their events: counts for the group list and page, and a group's drafts.
Annotated querysets whose query count does not grow with rows."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from kaisai.events.enums import EventStatus
from kaisai.events.models import Event
from kaisai.events.selectors import LISTED_STATUSES
from kaisai.groups.models import Group, Member


def _count_of(queryset: QuerySet) -> Coalesce:
    """A correlated COUNT subquery: counting beside the group row, not by joining (two joined
    counts would multiply each other)."""
    counted = queryset.order_by().values("group").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_counts(queryset: QuerySet[Group]) -> QuerySet[Group]:
    """Annotate member_count and upcoming_event_count."""
    return queryset.annotate(
        member_count=_count_of(Member.objects.filter(group=OuterRef("pk"))),
        upcoming_event_count=_count_of(
            Event.objects.filter(
                group=OuterRef("pk"), status__in=LISTED_STATUSES, ends_at__gte=timezone.now()
            )
        ),
    )


def groups_for_list() -> QuerySet[Group]:
    return with_counts(Group.objects.all()).order_by("title", "id")


def group_by_slug(slug: str) -> QuerySet[Group]:
    """The group with its counts (use with get_object_or_404)."""
    return with_counts(Group.objects.filter(slug=slug))


def draft_events_of_group(group: Group) -> QuerySet[Event]:
    """Drafts: only organizers may see them."""
    return (
        Event.objects.filter(group=group, status=EventStatus.DRAFT)
        .select_related("group")
        .order_by("starts_at", "id")
    )
