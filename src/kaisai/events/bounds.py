"""How far event dates may reach: the one place for these rules (docs/security.md).

Used by Event.clean (so the event form, the admin and API v1 all apply it), by the frame
service's checks (frame form and API v1), and by every export, which caps its own size
whatever is stored (rows written before these rules existed may still be out of bounds).

- An event lasts at most MAX_EVENT_DAYS days.
- It starts no more than YEARS_BACK years ago and no more than YEARS_AHEAD years ahead
  (checked when the start is set or changed: an old event can still be edited).
- Its after-party starts within AFTERPARTY_DAYS days of the event's start, not before it.
- A frame's times (application opens/closes, lottery, promotion cut-off) lie between
  WINDOW_DAYS_BEFORE days before the event's start and its end plus WINDOW_DAYS_AFTER days.
- An export lists at most EXPORT_MAX_DAYS days of a schedule and EXPORT_MAX_ENTRIES rows.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo

from django.utils import timezone
from django.utils.translation import gettext as _

MAX_EVENT_DAYS = 31
YEARS_BACK = 10
YEARS_AHEAD = 5
AFTERPARTY_DAYS = MAX_EVENT_DAYS + 1
WINDOW_DAYS_BEFORE = 366 * (YEARS_AHEAD + 1)  # an event is announced up to 5 years ahead
WINDOW_DAYS_AFTER = 31
EXPORT_MAX_DAYS = MAX_EVENT_DAYS
EXPORT_MAX_ENTRIES = 1000


def start_years(now: datetime | None = None) -> tuple[int, int]:
    """The first and last year an event may start in."""
    year = (now or timezone.now()).year
    return year - YEARS_BACK, year + YEARS_AHEAD


def event_date_errors(
    *,
    starts_at: datetime | None,
    ends_at: datetime | None,
    afterparty_starts_at: datetime | None = None,
    previous_starts_at: datetime | None = None,
    now: datetime | None = None,
) -> dict[str, str]:
    """{field: message} for an event's dates out of bounds (aware datetimes)."""
    errors: dict[str, str] = {}
    if starts_at is not None and starts_at != previous_starts_at:
        first, last = start_years(now)
        if not first <= starts_at.year <= last:
            errors["starts_at"] = _("An event must start between %(first)s and %(last)s.") % {
                "first": first,
                "last": last,
            }
    long = timedelta(days=MAX_EVENT_DAYS)
    if starts_at is not None and ends_at is not None and ends_at - starts_at > long:
        errors["ends_at"] = _("An event lasts at most %(days)s days.") % {"days": MAX_EVENT_DAYS}
    late = timedelta(days=AFTERPARTY_DAYS)
    if starts_at and afterparty_starts_at and afterparty_starts_at - starts_at > late:
        errors["afterparty_starts_at"] = _(
            "The after-party must start within %(days)s days of the event."
        ) % {"days": AFTERPARTY_DAYS}
    return errors


def _shift(value: datetime, days: int) -> datetime:
    try:
        return value + timedelta(days=days)
    except OverflowError:
        return datetime.min.replace(tzinfo=UTC) if days < 0 else datetime.max.replace(tzinfo=UTC)


def frame_date_errors(
    *, starts_at: datetime, ends_at: datetime, times: dict[str, datetime | None]
) -> dict[str, str]:
    """{field: message} for a frame's times too far from its event."""
    first = _shift(starts_at, -WINDOW_DAYS_BEFORE)
    last = _shift(min(max(ends_at, starts_at), export_end(starts_at, ends_at)), WINDOW_DAYS_AFTER)
    message = _(
        "Choose a time from %(before)s days before the event to %(after)s days after it."
    ) % {"before": WINDOW_DAYS_BEFORE, "after": WINDOW_DAYS_AFTER}
    return {
        name: message
        for name, value in times.items()
        if value is not None and not first <= value <= last
    }


def export_end(starts_at: datetime, ends_at: datetime) -> datetime:
    """The end an export uses: the stored end, but never more than EXPORT_MAX_DAYS after
    the start (a row stored before the bounds may end in year 9999)."""
    try:
        cap = starts_at + timedelta(days=EXPORT_MAX_DAYS)
    except OverflowError:
        return starts_at
    return min(ends_at, cap)


def export_days(first: date, last: date) -> list[date]:
    """The days from first to last, at most EXPORT_MAX_DAYS of them."""
    days: list[date] = []
    day = first
    while day <= last and len(days) < EXPORT_MAX_DAYS:
        days.append(day)
        if day == date.max:
            break
        day += timedelta(days=1)
    return days


# Stored values are clamped to this range when read (Event.from_db, Frame.from_db): any time
# zone's offset (at most ±26 hours) then stays inside the calendar, so pages render.
SAFE_MIN = datetime(1, 1, 3, tzinfo=UTC)
SAFE_MAX = datetime(9999, 12, 29, tzinfo=UTC)


def clamp_safe(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value
    return min(max(value, SAFE_MIN), SAFE_MAX)


def clamp_loaded(instance: object, names: tuple[str, ...]) -> None:
    """Clamp the loaded datetimes of a model instance (no write; deferred fields left)."""
    for name in names:
        value = instance.__dict__.get(name)
        if isinstance(value, datetime):
            instance.__dict__[name] = clamp_safe(value)


def safe_local(value: datetime, zone: tzinfo | None = None) -> datetime:
    """`value` in the zone, or as stored (UTC) where the conversion would leave the calendar
    (a year-1 or year-9999 row): pages render instead of answering 500."""
    try:
        return value.astimezone(zone) if zone else timezone.localtime(value)
    except (OverflowError, ValueError):
        return value.astimezone(UTC) if value.tzinfo else value
