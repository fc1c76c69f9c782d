"""The numbers of the organizer's insights (docs/insights.md): for one event and for a group
(a series). Read only; every function runs a fixed number of queries whatever the number of
registrations (the counting is done by the database).

- applied: every registration made (whatever became of it);
- accepted: a registration accepted at some point (accepted now, or accepted in its log);
- came: a registration with a check-in;
- no-show: accepted at the end of a held event, without a check-in;
- new / returning: of those who came, whether they had come to an earlier event of the group;
- a cancellation: each change to "cancelled" in the registration log, placed by how long
  before the event's start it happened.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from kaisai.checkin.models import CheckIn
from kaisai.events.enums import EventStatus
from kaisai.events.models import Event
from kaisai.groups.models import Group
from kaisai.registrations.enums import Status
from kaisai.registrations.models import Frame, Registration, RegistrationLog

# The longest stretch before the start shown by the applications chart (days).
MAX_DAYS = 60

# The cancellation histogram's bins: (key, hours before the start from, up to). The first
# bin is "after the start" (a negative lead).
CANCEL_BINS: tuple[tuple[str, float | None, float | None], ...] = (
    ("after_start", None, 0),
    ("0-3h", 0, 3),
    ("3-24h", 3, 24),
    ("1-2d", 24, 48),
    ("2-3d", 48, 72),
    ("3-7d", 72, 168),
    ("1-2w", 168, 336),
    ("2-4w", 336, 672),
    ("4w+", 672, None),
)


@dataclass(frozen=True)
class EventRef:
    id: int
    number: int | None
    title: str
    starts_at_local: str  # YYYY-MM-DD HH:MM in the event's zone

    @property
    def label(self) -> str:
        return f"#{self.number}" if self.number else self.title[:12]


def _ref(event: Event) -> EventRef:
    return EventRef(
        id=event.pk,
        number=event.number,
        title=event.title,
        starts_at_local=event.starts_at.astimezone(event.tz).strftime("%Y-%m-%d %H:%M"),
    )


@dataclass(frozen=True)
class ApplicationsRow:
    days_before: int
    this_event: int | None  # cumulative applications by the end of that day (None: after start)
    previous_event: int | None


@dataclass(frozen=True)
class FunnelRow:
    label: str  # the frame's name (event page) or the event's label (group page)
    applied: int
    accepted: int
    came: int


@dataclass(frozen=True)
class AttendanceRow:
    event: EventRef
    accepted: int
    came: int
    no_shows: int

    @property
    def rate(self) -> float | None:
        """Attendance rate in percent (came / accepted at the end), None without accepted."""
        return round(100 * self.came / self.accepted, 1) if self.accepted else None


@dataclass(frozen=True)
class ReturningRow:
    event: EventRef
    new: int
    returning: int


@dataclass(frozen=True)
class CancelBin:
    key: str
    hours_from: float | None
    hours_to: float | None
    count: int


@dataclass
class Insights:
    """Everything the insights page and the API show."""

    event: EventRef | None
    previous: EventRef | None
    applications: list[ApplicationsRow] = field(default_factory=list)
    funnel: list[FunnelRow] = field(default_factory=list)
    attendance: list[AttendanceRow] = field(default_factory=list)
    returning: list[ReturningRow] = field(default_factory=list)
    cancellations: list[CancelBin] = field(default_factory=list)


def previous_event(event: Event) -> Event | None:
    """The group's event before this one: the latest published event that started earlier."""
    return (
        Event.objects.filter(
            group_id=event.group_id,
            status=EventStatus.PUBLISHED,
            starts_at__lt=event.starts_at,
        )
        .exclude(pk=event.pk)
        .order_by("-starts_at", "-pk")
        .first()
    )


def _applications_by_day(event: Event) -> dict[int, int]:
    """Applications per day before the start (0 = the start's day, in the event's zone); those
    after the start's day count on day 0. One query."""
    start_day = event.starts_at.astimezone(event.tz).date()
    counts: dict[int, int] = defaultdict(int)
    rows = (
        Registration.objects.filter(event=event)
        .annotate(day=TruncDate("created_at", tzinfo=event.tz))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    for day, n in rows:
        if isinstance(day, str):  # pragma: no cover - a backend without date conversion
            day = date.fromisoformat(day)
        counts[max(0, (start_day - day).days)] += n
    return counts


def _cumulative(counts: dict[int, int], span: int) -> list[int]:
    """Cumulative applications by the end of each day, from `span` days before to the day."""
    before = sum(n for days, n in counts.items() if days > span)
    out = []
    total = before
    for days in range(span, -1, -1):
        total += counts.get(days, 0)
        out.append(total)
    return out


def applications_over_time(event: Event, previous: Event | None) -> list[ApplicationsRow]:
    """Cumulative applications by day before the start, this event against the previous one."""
    mine = _applications_by_day(event)
    theirs = _applications_by_day(previous) if previous is not None else {}
    keys = [*mine, *theirs]
    if not keys:
        return []
    span = min(MAX_DAYS, max(keys))
    today = timezone.now().astimezone(event.tz).date()
    days_left = (event.starts_at.astimezone(event.tz).date() - today).days  # today's index
    this = _cumulative(mine, span)
    that: list[int | None] = [None] * (span + 1)
    if previous is not None:
        that = list(_cumulative(theirs, span))
    return [
        ApplicationsRow(
            days_before=span - index,
            # days still to come have no number yet
            this_event=this[index] if span - index >= days_left else None,
            previous_event=that[index],
        )
        for index in range(span + 1)
    ]


def _accepted_ever() -> Exists:
    return Exists(
        RegistrationLog.objects.filter(registration=OuterRef("pk"), to_status=Status.ACCEPTED)
    )


def _came() -> Exists:
    return Exists(CheckIn.objects.filter(registration=OuterRef("pk")))


def _funnel_counts(registrations, by: str) -> dict[int, dict[str, int]]:
    rows = (
        registrations.annotate(was_accepted=_accepted_ever(), did_come=_came())
        .values(by)
        .annotate(
            applied=Count("id"),
            accepted=Count("id", filter=Q(status=Status.ACCEPTED) | Q(was_accepted=True)),
            came=Count("id", filter=Q(did_come=True)),
        )
        .values(by, "applied", "accepted", "came")
    )
    return {row[by]: row for row in rows}


def frame_funnel(event: Event) -> list[FunnelRow]:
    """Applied → accepted → came per frame, in the frames' order (two queries)."""
    counts = _funnel_counts(Registration.objects.filter(event=event), "frame_id")
    out = []
    for frame in Frame.objects.filter(event=event).order_by("order", "pk"):
        row = counts.get(frame.pk, {})
        out.append(
            FunnelRow(
                label=frame.name,
                applied=row.get("applied", 0),
                accepted=row.get("accepted", 0),
                came=row.get("came", 0),
            )
        )
    return out


def _series(group_id: int, until: Event | None) -> list[Event]:
    """The group's held events (published and ended), oldest first; up to `until` included."""
    events = Event.objects.filter(
        group_id=group_id, status=EventStatus.PUBLISHED, ends_at__lte=timezone.now()
    )
    if until is not None:
        events = events.filter(starts_at__lte=until.starts_at)
    return list(events.order_by("starts_at", "pk"))


def event_funnel(events: list[Event]) -> list[FunnelRow]:
    """Applied → accepted → came per event (one query)."""
    registrations = Registration.objects.filter(event__in=[e.pk for e in events])
    counts = _funnel_counts(registrations, "event_id")
    return [
        FunnelRow(
            label=_ref(event).label,
            applied=counts.get(event.pk, {}).get("applied", 0),
            accepted=counts.get(event.pk, {}).get("accepted", 0),
            came=counts.get(event.pk, {}).get("came", 0),
        )
        for event in events
    ]


def attendance(events: list[Event]) -> list[AttendanceRow]:
    """Per held event: accepted at the end, came, no-shows (one query)."""
    rows = (
        Registration.objects.filter(event__in=[e.pk for e in events], status=Status.ACCEPTED)
        .annotate(did_come=_came())
        .values("event_id")
        .annotate(accepted=Count("id"), came=Count("id", filter=Q(did_come=True)))
        .values_list("event_id", "accepted", "came")
    )
    counts = {event_id: (accepted, came) for event_id, accepted, came in rows}
    out = []
    for event in events:
        accepted, came = counts.get(event.pk, (0, 0))
        # came counts the accepted who checked in; a check-in of another status is not one
        out.append(AttendanceRow(_ref(event), accepted, came, accepted - came))
    return out


def new_and_returning(events: list[Event]) -> list[ReturningRow]:
    """Per held event, of those who came: first time, or came to an earlier event of the
    group (one query)."""
    earlier = CheckIn.objects.filter(
        registration__user_id=OuterRef("registration__user_id"),
        event__group_id=OuterRef("event__group_id"),
        event__starts_at__lt=OuterRef("event__starts_at"),
    )
    rows = (
        CheckIn.objects.filter(event__in=[e.pk for e in events])
        .annotate(came_before=Exists(earlier))
        .values("event_id")
        .annotate(
            returning=Count("id", filter=Q(came_before=True)),
            new=Count("id", filter=Q(came_before=False)),
        )
        .values_list("event_id", "new", "returning")
    )
    counts = {event_id: (new, returning) for event_id, new, returning in rows}
    return [ReturningRow(_ref(e), *counts.get(e.pk, (0, 0))) for e in events]


def cancellation_bins(events: list[Event]) -> list[CancelBin]:
    """Every cancellation of these events by how long before its event's start (one query)."""
    start = F("registration__event__starts_at")
    aggregates = {}
    for key, hours_from, hours_to in CANCEL_BINS:
        condition = Q()
        # hours_from <= (start - cancelled at) < hours_to
        if hours_from is not None:
            condition &= Q(created_at__lte=start - timedelta(hours=hours_from))
        if hours_to is not None:
            condition &= Q(created_at__gt=start - timedelta(hours=hours_to))
        aggregates[key] = Count("id", filter=condition)
    counts = RegistrationLog.objects.filter(
        registration__event__in=[e.pk for e in events], to_status=Status.CANCELLED
    ).aggregate(**aggregates)
    return [
        CancelBin(key, hours_from, hours_to, counts[key] or 0)
        for key, hours_from, hours_to in CANCEL_BINS
    ]


def event_insights(event: Event) -> Insights:
    """The insights of one event: applications against the previous event, the funnel per
    frame, the series up to this event, this event's cancellations."""
    previous = previous_event(event)
    series = _series(event.group_id, event)
    return Insights(
        event=_ref(event),
        previous=_ref(previous) if previous is not None else None,
        applications=applications_over_time(event, previous),
        funnel=frame_funnel(event),
        attendance=attendance(series),
        returning=new_and_returning(series),
        cancellations=cancellation_bins([event]),
    )


def group_insights(group: Group) -> Insights:
    """The insights of a group: its held events' funnel, attendance, new and returning
    people, and all their cancellations."""
    series = _series(group.pk, None)
    return Insights(
        event=None,
        previous=None,
        funnel=event_funnel(series),
        attendance=attendance(series),
        returning=new_and_returning(series),
        cancellations=cancellation_bins(series),
    )
