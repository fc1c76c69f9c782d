"""Reads of groups: annotated querysets whose query count does not grow with rows."""

from __future__ import annotations

from django.db.models import Case, Count, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from kaisai.events.enums import EventStatus
from kaisai.events.models import Event
from kaisai.events.selectors import LISTED_STATUSES
from kaisai.groups.enums import RequestStatus, Role
from kaisai.groups.models import Group, Member, Organizer, OrganizerInvitation, OrganizerRequest


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


ROLE_ORDER = Case(
    When(role=Role.OWNER, then=Value(0)),
    When(role=Role.ORGANIZER, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def organizers_of(group: Group) -> QuerySet[Organizer]:
    """The organizing team, owners first, then by when they joined."""
    return (
        Organizer.objects.filter(group=group)
        .select_related("user")
        .annotate(role_order=ROLE_ORDER)
        .order_by("role_order", "added_at", "id")
    )


def pending_requests_of(group: Group) -> QuerySet[OrganizerRequest]:
    return (
        OrganizerRequest.objects.filter(group=group, status=RequestStatus.PENDING)
        .select_related("user")
        .order_by("created_at", "id")
    )


def open_invitations_of(group: Group) -> QuerySet[OrganizerInvitation]:
    """Invitation links that can still be used, newest first."""
    return (
        OrganizerInvitation.objects.filter(
            group=group, used_at__isnull=True, expires_at__gt=timezone.now()
        )
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )


def draft_events_of_group(group: Group) -> QuerySet[Event]:
    """Drafts: only organizers may see them."""
    return (
        Event.objects.filter(group=group, status=EventStatus.DRAFT)
        .select_related("group")
        .order_by("starts_at", "id")
    )


def is_member(user, group: Group) -> bool:
    if not user.is_authenticated:
        return False
    return Member.objects.filter(group=group, user=user).exists()


def pending_request_of(user, group: Group) -> OrganizerRequest | None:
    if not user.is_authenticated:
        return None
    return OrganizerRequest.objects.filter(
        group=group, user=user, status=RequestStatus.PENDING
    ).first()
