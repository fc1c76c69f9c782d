"""Reads of groups: the organizing team, requests, invitations, membership. Groups with their
event counts and drafts are events' (events.selectors_groups)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone

from kaisai.accounts.models import User
from kaisai.accounts.selectors import listed_q
from kaisai.groups.enums import RequestStatus, Role
from kaisai.groups.models import Group, Member, Organizer, OrganizerInvitation, OrganizerRequest

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


def is_member(user: User | AnonymousUser, group: Group) -> bool:
    if not user.is_authenticated:
        return False
    return Member.objects.filter(group=group, user=user).exists()


def shown_members_of(group: Group) -> QuerySet[Member]:
    """The members who chose to appear in the group's members list (docs/participants.md),
    earliest first; the others are only counted (`Group.members.count()`)."""
    return (
        Member.objects.filter(listed_q(), group=group)
        .select_related("user")
        .order_by("joined_at", "id")
    )


def membership_of(user: User | AnonymousUser, group: Group) -> Member | None:
    if not user.is_authenticated:
        return None
    return Member.objects.filter(group=group, user=user).select_related("user").first()


def pending_request_of(user: User | AnonymousUser, group: Group) -> OrganizerRequest | None:
    if not user.is_authenticated:
        return None
    return OrganizerRequest.objects.filter(
        group=group, user=user, status=RequestStatus.PENDING
    ).first()
