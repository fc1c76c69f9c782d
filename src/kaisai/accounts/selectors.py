"""Reads about people: what a profile shows, and who an API token belongs to."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from kaisai.accounts.models import ApiToken, User
from kaisai.events.enums import EventStatus
from kaisai.events.models import Event
from kaisai.groups.enums import Role
from kaisai.groups.models import Organizer
from kaisai.talks.enums import MaterialKind, TalkState
from kaisai.talks.models import Material, Talk

PROFILE_EVENT_STATUSES = [EventStatus.PUBLISHED, EventStatus.CANCELLED, EventStatus.POSTPONED]
ORGANIZING_ROLES = [Role.OWNER, Role.ORGANIZER]
TOKEN_LAST_USED_RESOLUTION = timedelta(minutes=1)


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
    from kaisai.checkin.selectors import events_attended_by as checked_in_at  # checkin → accounts

    return checked_in_at(user).filter(status__in=PROFILE_EVENT_STATUSES)


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


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


# Every API request runs this lookup: as raw SQL it costs a third of the ORM's compiled join
# (bench/RESULTS.md). The user comes back with all its fields; `api_token_stale` says whether
# `last_used_at` is due for an update, which the conditional UPDATE below then writes.
_USER_BY_KEY_HASH_SQL = (
    "SELECT u.*, t.id AS api_token_id,"
    " (t.last_used_at IS NULL OR t.last_used_at < %s) AS api_token_stale"
    " FROM accounts_user u JOIN accounts_apitoken t ON t.user_id = u.id"
    " WHERE t.key_hash = %s AND u.is_active"
)
_MARK_USED_SQL = (
    "UPDATE accounts_apitoken SET last_used_at = %s"
    " WHERE id = %s AND (last_used_at IS NULL OR last_used_at < %s)"
)


def user_for_api_token(key: str | None) -> User | None:
    """The active user a personal API token belongs to, or None.

    The token is looked up by its SHA-256 (one indexed query, the same work for any input);
    `last_used_at` is written at most once a minute per token so busy clients do not turn
    every read into a write.
    """
    if not key:
        return None
    now = timezone.now()
    stale_before = connection.ops.adapt_datetimefield_value(now - TOKEN_LAST_USED_RESOLUTION)
    users = User.objects.raw(_USER_BY_KEY_HASH_SQL, [stale_before, ApiToken.hash_key(key)])
    user = next(iter(users), None)
    if user is None:
        return None
    token_id = user.__dict__.pop("api_token_id")
    if user.__dict__.pop("api_token_stale"):
        with connection.cursor() as cursor:
            cursor.execute(
                _MARK_USED_SQL,
                [connection.ops.adapt_datetimefield_value(now), token_id, stale_before],
            )
    return user
