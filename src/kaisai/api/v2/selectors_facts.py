"""API v2's facts of a page of events: capacity, accepted and waiting counts, the open status
and the owner of each, in three queries for any number of events (`event_facts`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from kaisai.api.v2.selectors import EventRow
from kaisai.core.compiled_rows import CompiledRows
from kaisai.core.lookups import one_of
from kaisai.events.enums import EventStatus
from kaisai.groups.enums import Role
from kaisai.groups.models import Organizer
from kaisai.registrations.enums import WAITING_STATUSES
from kaisai.registrations.models import Frame, Registration, registration_window


@dataclass(frozen=True)
class Owner:
    id: int
    nickname: str
    display_name: str  # falls back to the nickname, like User.name


def _owner(pk: int, nickname: str, display_name: str) -> Owner:
    return Owner(pk, nickname, display_name or nickname)


@dataclass
class EventFacts:
    limit: int | None
    accepted: int
    waiting: int
    open_status: str
    owner: Owner | None


# A frame's registration window: (opens_at, closes_at), either may be None.
Window = tuple[datetime | None, datetime | None]


def _window_open(window: Window, starts_at: datetime, moment: datetime) -> bool:
    """The registration window rule (`registrations.models.registration_window`)."""
    return registration_window(*window, starts_at, moment) == "open"


def open_status(
    status: str, starts_at: datetime, ends_at: datetime, windows: list[Window], moment: datetime
) -> str:
    """cancelled: the event is cancelled; close: postponed, over, or no frame takes
    registrations any more; open: a frame takes registrations now; preopen: a frame opens
    later, or no frame exists yet for an event still to come."""
    if status == EventStatus.CANCELLED:
        return "cancelled"
    if status != EventStatus.PUBLISHED or moment >= ends_at:
        return "close"
    if any(_window_open(window, starts_at, moment) for window in windows):
        return "open"
    if any(registration_window(*window, starts_at, moment) == "not_yet" for window in windows):
        return "preopen"
    if not windows and moment < starts_at:
        return "preopen"
    return "close"


# The facts' three queries, compiled once (core/compiled_rows.py): unordered (the models'
# default order is a sort for nothing here), so that the waiting registrations are read from
# their partial index alone (index-only).
_FRAMES = CompiledRows(
    lambda ids: (
        Frame.objects.filter(one_of("event_id", ids))
        .order_by()
        .values_list("event_id", "capacity", "accepted_count", "opens_at", "closes_at")
    ),
    "ids",
)
# A few registrations per event wait: counting them here is cheaper than a GROUP BY's query
# compilation.
_WAITING = CompiledRows(
    lambda ids: (
        Registration.objects.filter(one_of("event_id", ids), status__in=WAITING_STATUSES)
        .order_by()
        .values_list("event_id")
    ),
    "ids",
)
_OWNERS = CompiledRows(
    lambda ids: (
        Organizer.objects.filter(one_of("group_id", ids), role=Role.OWNER)
        .order_by("-added_at", "-id")
        .values_list("group_id", "user_id", "user__nickname", "user__display_name")
    ),
    "ids",
)


def event_facts(rows: list[EventRow]) -> dict[int, EventFacts]:
    """Capacity, counts, state and owner of each event row: three queries for any number
    (frames, waiting counts, and the group owners of events without a known creator)."""
    if not rows:
        return {}
    ids = [row["id"] for row in rows]
    windows: dict[int, list[Window]] = {pk: [] for pk in ids}
    limits: dict[int, int] = dict.fromkeys(ids, 0)
    accepted: dict[int, int] = dict.fromkeys(ids, 0)
    for event_id, capacity, taken, opens_at, closes_at in _FRAMES.rows(ids=ids):
        windows[event_id].append((opens_at, closes_at))
        limits[event_id] += capacity
        accepted[event_id] += taken
    # A few registrations per event wait: counting them here is cheaper than a GROUP BY's
    # query compilation.
    waiting = Counter(event_id for (event_id,) in _WAITING.rows(ids=ids))
    owners: dict[int, Owner] = {}
    group_ids = {row["group_id"] for row in rows if row["created_by_id"] is None}
    if group_ids:
        for group_id, user_id, nickname, display_name in _OWNERS.rows(ids=group_ids):
            owners[group_id] = _owner(user_id, nickname, display_name)  # the earliest owner wins
    moment = timezone.now()
    facts = {}
    for row in rows:
        pk = row["id"]
        event_windows = windows[pk]
        creator = row["created_by_id"]
        facts[pk] = EventFacts(
            limit=limits[pk] if event_windows else None,
            accepted=accepted[pk],
            waiting=waiting.get(pk, 0),
            open_status=open_status(
                row["status"], row["starts_at"], row["ends_at"], event_windows, moment
            ),
            owner=_owner(creator, row["created_by__nickname"], row["created_by__display_name"])
            if creator is not None
            else owners.get(row["group_id"]),
        )
    return facts
