"""Reads behind the connpass-compatible API: which events, groups, users and materials, and the
per-page facts (capacity, counts, owners) loaded in a fixed number of queries per page.

Events are found by the one event-search selector (`kaisai.events.search.search_events`), except
for the participant criterion (`nickname`), which here follows what kaisai shows publicly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from kaisai.accounts.models import User
from kaisai.accounts.selectors import listed_q
from kaisai.api.v2.params import EventParams, Month
from kaisai.checkin.models import CheckIn
from kaisai.checkin.selectors import public_events_attended_by
from kaisai.events.models import Event
from kaisai.events.search import EventQuery, search_events
from kaisai.events.selectors import LISTED_STATUSES, public_events
from kaisai.groups.enums import ORGANIZING_ROLES, Role
from kaisai.groups.models import Group, Member, Organizer
from kaisai.registrations.enums import Status
from kaisai.registrations.models import Registration
from kaisai.talks.enums import TalkState
from kaisai.talks.models import Material, Speaker

# connpass `order` → the search selector's order names (see docs/api-v2.md for the directions).
SEARCH_ORDER = {1: "updated", 2: "start_desc", 3: "newest"}


# --- events -------------------------------------------------------------------------------


def _yyyymm(months: list[Month]) -> list[str]:
    return [f"{month.year:04d}{month.month:02d}" for month in months]


def _yyyymmdd(days: list[date]) -> list[str]:
    return [day.strftime("%Y%m%d") for day in days]


def event_query(params: EventParams) -> EventQuery:
    """The search selector's query for the connpass parameters, but for `nickname` (see
    `search`)."""
    return EventQuery(
        keywords=params.keywords,
        keywords_or=params.keywords_or,
        event_ids=params.event_ids,
        months=_yyyymm(params.months),
        days=_yyyymmdd(params.days),
        publish_months=_yyyymm(params.publish_months),
        publish_days=_yyyymmdd(params.publish_days),
        owner_nicknames=params.owner_nicknames,
        group_ids=params.group_ids,
        group_slugs=params.subdomains,
        prefectures=params.prefectures,
        order=SEARCH_ORDER[params.order],
    )


def search(params: EventParams, *, viewer: User) -> QuerySet[Event]:
    """Public events matching the connpass search parameters, in the asked order."""
    events = search_events(event_query(params))
    if params.nicknames:
        # Not EventQuery.participant_nicknames (anyone's registrations): see _participated_by.
        events = events.filter(_participated_by(params.nicknames, viewer))
    return events


def _participated_by(nicknames: list[str], viewer: User) -> Q:
    """Events the people took part in, as far as kaisai shows it publicly: their check-ins (the
    profile's "attended"). A key's own nickname also finds its accepted registrations — one's
    own schedule, which nobody else may read."""
    # Others only where they chose to appear in the participants list (docs/participants.md).
    shown = CheckIn.objects.filter(
        listed_q("registration__"), registration__user__nickname__in=nicknames
    )
    where = Q(pk__in=shown.values("event_id"))
    if viewer.nickname in nicknames:
        where |= Q(pk__in=CheckIn.objects.filter(registration__user=viewer).values("event_id"))
        where |= Q(
            pk__in=Registration.objects.filter(user=viewer, status=Status.ACCEPTED).values(
                "event_id"
            )
        )
    return where


def attended_events(user: User, *, viewer: User) -> QuerySet[Event]:
    """Events the person takes part in, as `nickname` finds them (`_participated_by`): anyone's
    check-ins at public events (the profile's "attended"); for the key's own nickname also its
    accepted registrations, upcoming events included. Latest first."""
    if user.pk != viewer.pk:
        return public_events_attended_by(user)
    return (
        public_events()
        .filter(_participated_by([user.nickname], viewer))
        .order_by("-starts_at", "-id")
    )


def presenter_events(user: User) -> QuerySet[Event]:
    """Public events where the person speaks in an accepted talk, latest first."""
    talks = Speaker.objects.filter(user=user, talk__state=TalkState.ACCEPTED).values(
        "talk__event_id"
    )
    return public_events().filter(pk__in=talks).order_by("-starts_at", "-id")


def public_event_or_none(pk: int) -> Event | None:
    return public_events().filter(pk=pk).first()


# The columns an Event object of the API reads, fetched as `.values()` rows: building 100 model
# instances (with their group and creator) was most of a 100-event page's time.
EVENT_ROW_FIELDS = (
    "id",
    "title",
    "catch",
    "description",
    "image",
    "hashtag",
    "status",
    "starts_at",
    "ends_at",
    "published_at",
    "updated_at",
    "time_zone",
    "address",
    "place",
    "latitude",
    "longitude",
    "group_id",
    "group__slug",
    "group__title",
    "created_by_id",
    "created_by__nickname",
    "created_by__display_name",
)
EventRow = dict[str, Any]


def event_rows(events: QuerySet[Event], offset: int, count: int) -> list[EventRow]:
    """One page of the events as dicts of EVENT_ROW_FIELDS (group and creator joined)."""
    return list(events.values(*EVENT_ROW_FIELDS)[offset : offset + count])


# --- presentations ------------------------------------------------------------------------


def presentations_of(event: Event) -> QuerySet[Material]:
    """Materials of the event and of its accepted talks, oldest first, with who posted them
    and the talk's speakers (users only) loaded."""
    return (
        Material.objects.filter(event=event)
        .filter(Q(talk__isnull=True) | Q(talk__state=TalkState.ACCEPTED))
        .select_related("added_by", "talk")
        .prefetch_related(
            Prefetch(
                "talk__speakers",
                queryset=Speaker.objects.filter(user__isnull=False)
                .select_related("user")
                .order_by("order", "id"),
                to_attr="user_speakers",
            )
        )
        .order_by("created_at", "id")
    )


# --- groups -------------------------------------------------------------------------------


def _groups() -> QuerySet[Group]:
    return Group.objects.annotate(member_users_count=Count("members")).prefetch_related(
        Prefetch(
            "organizers",
            queryset=Organizer.objects.filter(role=Role.OWNER)
            .select_related("user")
            .order_by("added_at", "id"),
            to_attr="owner_roles",
        )
    )


def groups_by_subdomain(slugs: list[str]) -> QuerySet[Group]:
    groups = _groups()
    if slugs:
        groups = groups.filter(slug__in=slugs)
    return groups.order_by("id")


def groups_of(user: User) -> QuerySet[Group]:
    """Groups the person follows (member) or helps run (organizer), oldest group first."""
    member = Member.objects.filter(user=user).values("group_id")
    organizer = Organizer.objects.filter(user=user).values("group_id")
    return _groups().filter(Q(pk__in=member) | Q(pk__in=organizer)).order_by("id")


# --- users --------------------------------------------------------------------------------


def users_by_nickname(nicknames: list[str]) -> QuerySet[User]:
    users = User.objects.filter(is_active=True)
    if nicknames:
        users = users.filter(nickname__in=nicknames)
    return users.order_by("id")


def active_user_or_none(nickname: str) -> User | None:
    return User.objects.filter(nickname=nickname, is_active=True).first()


@dataclass
class UserCounts:
    attended: int = 0
    organized: int = 0
    presented: int = 0


def user_counts(user_ids: Iterable[int]) -> dict[int, UserCounts]:
    """Events attended (check-ins), organized (owner or co-organizer of the group) and
    presented (accepted talks) per person, public events only: three queries for any number."""
    ids = list(user_ids)
    counts = {pk: UserCounts() for pk in ids}
    if not ids:
        return counts
    attended = (
        CheckIn.objects.filter(
            listed_q("registration__"),
            registration__user_id__in=ids,
            event__status__in=LISTED_STATUSES,
        )
        .values("registration__user_id")
        .annotate(n=Count("event_id", distinct=True))
        .values_list("registration__user_id", "n")
    )
    for pk, n in attended:
        counts[pk].attended = n
    organized = (
        Organizer.objects.filter(user_id__in=ids, role__in=ORGANIZING_ROLES)
        .values("user_id")
        .annotate(
            n=Count(
                "group__events",
                filter=Q(group__events__status__in=LISTED_STATUSES),
                distinct=True,
            )
        )
        .values_list("user_id", "n")
    )
    for pk, n in organized:
        counts[pk].organized += n
    presented = (
        Speaker.objects.filter(
            user_id__in=ids,
            talk__state=TalkState.ACCEPTED,
            talk__event__status__in=LISTED_STATUSES,
        )
        .values("user_id")
        .annotate(n=Count("talk__event_id", distinct=True))
        .values_list("user_id", "n")
    )
    for pk, n in presented:
        counts[pk].presented = n
    return counts
