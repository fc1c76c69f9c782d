"""Reads behind the connpass-compatible API: which events, groups, users and materials, and the
per-page facts (capacity, counts, owners) loaded in a fixed number of queries per page.

Events are found by the one event-search selector (`kaisai.events.search.search_events`), except
for the participant criterion (`nickname`), which here follows what kaisai shows publicly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from kaisai.accounts.models import User
from kaisai.accounts.selectors import ORGANIZING_ROLES, events_attended_by
from kaisai.api.v2.params import EventParams, Month
from kaisai.checkin.models import CheckIn
from kaisai.events.enums import EventStatus
from kaisai.events.models import Event
from kaisai.events.search import EventQuery, search_events
from kaisai.events.selectors import LISTED_STATUSES, public_events
from kaisai.groups.enums import Role
from kaisai.groups.models import Group, Member, Organizer
from kaisai.registrations.enums import Status
from kaisai.registrations.models import Frame, Registration
from kaisai.talks.enums import TalkState
from kaisai.talks.models import Material, Speaker

# connpass `order` → the search selector's order names (see docs/api-v2.md for the directions).
SEARCH_ORDER = {1: "updated", 2: "start_desc", 3: "newest"}
# Registrations still hoping for a seat: the waitlist, and applicants of a lottery before its
# draw or of an approval frame before the organizers' decision.
WAITING_STATUSES = (Status.WAITLISTED, Status.APPLIED)


# --- events -------------------------------------------------------------------------------


def _yyyymm(months: list[Month]) -> list[str]:
    return [f"{month.year:04d}{month.month:02d}" for month in months]


def _yyyymmdd(days: list[date]) -> list[str]:
    return [day.strftime("%Y%m%d") for day in days]


def search(params: EventParams, *, viewer: User) -> QuerySet[Event]:
    """Public events matching the connpass search parameters, in the asked order."""
    events = search_events(
        EventQuery(
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
    )
    if params.nicknames:
        # Not EventQuery.participant_nicknames (anyone's registrations): see _participated_by.
        events = events.filter(_participated_by(params.nicknames, viewer))
    return events.select_related("group", "created_by")


def _participated_by(nicknames: list[str], viewer: User) -> Q:
    """Events the people took part in, as far as kaisai shows it publicly: their check-ins (the
    profile's "attended"). A key's own nickname also finds its accepted registrations — one's
    own schedule, which nobody else may read."""
    where = Q(
        pk__in=CheckIn.objects.filter(registration__user__nickname__in=nicknames).values("event_id")
    )
    if viewer.nickname in nicknames:
        where |= Q(
            pk__in=Registration.objects.filter(user=viewer, status=Status.ACCEPTED).values(
                "event_id"
            )
        )
    return where


def attended_events(user: User) -> QuerySet[Event]:
    """The profile's events attended (check-ins at public events), latest first."""
    return events_attended_by(user).select_related("group", "created_by")


def presenter_events(user: User) -> QuerySet[Event]:
    """Public events where the person speaks in an accepted talk, latest first."""
    talks = Speaker.objects.filter(user=user, talk__state=TalkState.ACCEPTED).values(
        "talk__event_id"
    )
    return (
        public_events()
        .filter(pk__in=talks)
        .select_related("group", "created_by")
        .order_by("-starts_at", "-id")
    )


def public_event_or_none(pk: int) -> Event | None:
    return public_events().filter(pk=pk).first()


@dataclass
class EventFacts:
    limit: int | None
    accepted: int
    waiting: int
    open_status: str
    owner: User | None


def _window_open(frame: Frame, event: Event, moment: datetime) -> bool:
    """The registration rule of `registrations.services.participants.check_window`."""
    if frame.opens_at and moment < frame.opens_at:
        return False
    return moment < (frame.closes_at or event.starts_at)


def open_status(event: Event, frames: list[Frame], moment: datetime) -> str:
    """cancelled: the event is cancelled; close: postponed, over, or no frame takes
    registrations any more; open: a frame takes registrations now; preopen: a frame opens
    later, or no frame exists yet for an event still to come."""
    if event.status == EventStatus.CANCELLED:
        return "cancelled"
    if event.status != EventStatus.PUBLISHED or moment >= event.ends_at:
        return "close"
    if any(_window_open(frame, event, moment) for frame in frames):
        return "open"
    if any(frame.opens_at and moment < frame.opens_at for frame in frames):
        return "preopen"
    if not frames and moment < event.starts_at:
        return "preopen"
    return "close"


def event_facts(events: list[Event]) -> dict[int, EventFacts]:
    """Capacity, counts, state and owner of each event: three queries for any number."""
    if not events:
        return {}
    ids = [event.pk for event in events]
    frames: dict[int, list[Frame]] = {pk: [] for pk in ids}
    for frame in Frame.objects.filter(event_id__in=ids).order_by("order", "id"):
        frames[frame.event_id].append(frame)
    waiting = dict(
        Registration.objects.filter(event_id__in=ids, status__in=WAITING_STATUSES)
        .values("event_id")
        .annotate(n=Count("id"))
        .values_list("event_id", "n")
    )
    owners = {}
    group_ids = {event.group_id for event in events if event.created_by_id is None}
    if group_ids:
        for role in (
            Organizer.objects.filter(group_id__in=group_ids, role=Role.OWNER)
            .select_related("user")
            .order_by("-added_at", "-id")
        ):
            owners[role.group_id] = role.user  # the earliest owner wins
    moment = timezone.now()
    facts = {}
    for event in events:
        event_frames = frames[event.pk]
        facts[event.pk] = EventFacts(
            limit=sum(frame.capacity for frame in event_frames) if event_frames else None,
            accepted=sum(frame.accepted_count for frame in event_frames),
            waiting=waiting.get(event.pk, 0),
            open_status=open_status(event, event_frames, moment),
            owner=event.created_by if event.created_by_id else owners.get(event.group_id),
        )
    return facts


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
        CheckIn.objects.filter(registration__user_id__in=ids, event__status__in=LISTED_STATUSES)
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
