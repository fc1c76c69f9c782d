"""The rhythm of a group's series: when "the next one" is (copy as next,
docs/copy-as-next.md).

The next date keeps the weekday and the local time of the event copied, in its time zone: a
Friday 19:30 series stays on Fridays at 19:30. Its distance is the series' usual interval —
the median gap between the group's last events (up to `SERIES_WINDOW` of them, not cancelled;
pauses over a year left out) — else `DEFAULT_SERIES_INTERVAL_MONTHS`. A gap of about a month
or more is counted in months and keeps the weekday's place in the month ("the 3rd Friday"); a
shorter one in whole weeks. A date in the past is moved on by the same interval until it is
ahead."""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta
from statistics import median

from django.utils import timezone

from kaisai.events.enums import EventStatus
from kaisai.events.models import Event

DEFAULT_SERIES_INTERVAL_MONTHS = 2
SERIES_WINDOW = 6
DAYS_PER_MONTH = 30.44
MONTHLY_FROM_DAYS = 25  # a median gap of 25 days or more: counted in months
MAX_GAP_DAYS = 366  # a longer pause is not the series' rhythm


def same_weekday_months_later(local: datetime, months: int) -> datetime:
    """The same weekday at the same place in the month (1st…4th, else the last), `months`
    later, at the same wall-clock time (naive local datetimes)."""
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    place = (local.day - 1) // 7  # 0 = the first such weekday of the month
    first = datetime(year, month, 1).weekday()
    day = 1 + (local.weekday() - first) % 7 + 7 * place
    last_day = calendar.monthrange(year, month)[1]
    while day > last_day:
        day -= 7
    return local.replace(year=year, month=month, day=day)


def step(local: datetime, gap_days: float | None) -> datetime:
    """One interval of the series after `local` (naive, in the event's zone)."""
    if gap_days is None:
        return same_weekday_months_later(local, DEFAULT_SERIES_INTERVAL_MONTHS)
    if gap_days >= MONTHLY_FROM_DAYS:
        return same_weekday_months_later(local, max(1, round(gap_days / DAYS_PER_MONTH)))
    return local + timedelta(weeks=max(1, round(gap_days / 7)))


def usual_gap_days(event: Event) -> float | None:
    """The median gap in days between the group's last events up to `event` (None: fewer
    than two events). One query."""
    starts = list(
        Event.objects.filter(group_id=event.group_id, starts_at__lte=event.starts_at)
        .exclude(status=EventStatus.CANCELLED)
        .order_by("-starts_at")
        .values_list("starts_at", flat=True)[:SERIES_WINDOW]
    )
    gaps = [(a - b).total_seconds() / 86400 for a, b in zip(starts, starts[1:], strict=False)]
    gaps = [gap for gap in gaps if 0 < gap <= MAX_GAP_DAYS]
    return median(gaps) if gaps else None


def next_start(event: Event, *, now: datetime | None = None) -> datetime:
    """The default start of the event after `event` (aware, UTC-comparable): same weekday
    and local time, one usual interval later, in the future (after `now`) and after the
    group's latest event (copying #4 while #5 is planned gives the date after #5)."""
    tz = event.tz
    now = now or timezone.now()
    latest = (
        Event.objects.filter(group_id=event.group_id)
        .exclude(status=EventStatus.CANCELLED)
        .order_by("-starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    if latest is not None:
        now = max(now, latest)
    gap = usual_gap_days(event)
    local = event.starts_at.astimezone(tz).replace(tzinfo=None)
    candidate = step(local, gap)
    while candidate.replace(tzinfo=tz) <= now:
        candidate = step(candidate, gap)
    return candidate.replace(tzinfo=tz)
