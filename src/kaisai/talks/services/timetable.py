"""The event's timetable: add, change and remove entries (talks, doors, breaks, after-party).

Rules (docs/timetable.md):

- only organizers call these (the views check `can_manage_events`);
- a talk entry needs an accepted talk of the same event that is not on the timetable yet;
  every other kind has no talk;
- the start defaults to the end of the timetable so far (the latest end of any entry, or the
  event's start), an after-party's to the event's `afterparty_starts_at`; the duration
  defaults to the talk's, or to a default per kind;
- entries must lie in a window around the event (from `WINDOW_BEFORE` before its start to
  `WINDOW_AFTER` after its end) and last 0 to 24 hours.

Each write takes the event's row lock first, so two organizers adding entries at once each
get a default start after the other's entry.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kaisai.events.models import Event
from kaisai.events.services import shift_time
from kaisai.talks.enums import EntryKind, TalkState
from kaisai.talks.models import Talk, TimetableEntry

WINDOW_BEFORE = timedelta(hours=12)
WINDOW_AFTER = timedelta(hours=12)
MAX_DURATION = 24 * 60
DEFAULT_DURATIONS: dict[str, int] = {
    EntryKind.DOORS: 30,
    EntryKind.BREAK: 10,
    EntryKind.AFTERPARTY: 120,
    EntryKind.OTHER: 10,
}


class TimetableError(ValidationError):
    """A timetable rule said no; messages are translated, by field where there is one."""


def entry_end(entry: TimetableEntry) -> datetime:
    return entry.starts_at + timedelta(minutes=entry.duration)


def next_start(event: Event) -> datetime:
    """Where the next entry goes by default: the latest end of the entries so far, or the
    event's start when the timetable is empty."""
    ends = [entry_end(entry) for entry in TimetableEntry.objects.filter(event=event)]
    return max(ends, default=event.starts_at)


def default_start(event: Event, kind: str) -> datetime:
    if kind == EntryKind.AFTERPARTY and event.afterparty_starts_at is not None:
        return event.afterparty_starts_at
    return next_start(event)


def _lock(event: Event) -> None:
    Event.objects.select_for_update().filter(pk=event.pk).first()


def _check_times(event: Event, starts_at: datetime, duration: int) -> None:
    errors: dict[str, list[str]] = {}
    if duration < 0 or duration > MAX_DURATION:
        errors["duration"] = [_("The duration must be between 0 and 1440 minutes.")]
    earliest = event.starts_at - WINDOW_BEFORE
    latest = event.ends_at + WINDOW_AFTER
    if starts_at < earliest or starts_at > latest:
        errors["starts_at"] = [
            _("The entry must start between 12 hours before the event and 12 hours after it.")
        ]
    elif not errors and starts_at + timedelta(minutes=duration) > latest:
        errors["duration"] = [_("The entry must end within 12 hours after the event ends.")]
    if errors:
        raise TimetableError(errors)


def _schedulable_talk(event: Event, talk: Talk | None) -> Talk:
    if talk is None:
        raise TimetableError({"talk": [_("Choose a talk.")]})
    # Read again under the event's lock: the state and the slot may have changed meanwhile.
    fresh = Talk.objects.filter(pk=talk.pk, event=event).first()
    if fresh is None:
        raise TimetableError({"talk": [_("This talk does not belong to this event.")]})
    if fresh.state != TalkState.ACCEPTED:
        raise TimetableError({"talk": [_("Only accepted talks can be put on the timetable.")]})
    if TimetableEntry.objects.filter(talk=fresh).exists():
        raise TimetableError({"talk": [_("This talk is already on the timetable.")]})
    return fresh


def add_entry(
    *,
    event: Event,
    kind: str,
    talk: Talk | None = None,
    starts_at: datetime | None = None,
    duration: int | None = None,
    title: str = "",
    room: str = "",
) -> TimetableEntry:
    """Add one entry. Empty start or duration take the defaults described above."""
    if kind not in EntryKind.values:
        raise TimetableError({"kind": [_("Unknown kind of entry.")]})
    title = title.strip()
    with transaction.atomic():
        _lock(event)
        if kind == EntryKind.TALK:
            talk = _schedulable_talk(event, talk)
            if duration is None:
                duration = talk.duration
        else:
            if talk is not None:
                raise TimetableError({"talk": [_("Only a talk entry can have a talk.")]})
            if kind == EntryKind.OTHER and not title:
                raise TimetableError({"title": [_("Give this entry a title.")]})
            if duration is None:
                duration = DEFAULT_DURATIONS[kind]
        if starts_at is None:
            starts_at = default_start(event, kind)
        _check_times(event, starts_at, duration)
        return TimetableEntry.objects.create(
            event=event,
            kind=kind,
            talk=talk if kind == EntryKind.TALK else None,
            title=title,
            starts_at=starts_at,
            duration=duration,
            room=room.strip(),
        )


def update_entry(
    *,
    entry: TimetableEntry,
    starts_at: datetime,
    duration: int,
    title: str = "",
    room: str = "",
) -> TimetableEntry:
    """Move, resize or rename an entry. A talk entry keeps its talk (remove it and add
    another to swap talks)."""
    title = title.strip()
    with transaction.atomic():
        _lock(entry.event)
        if entry.kind == EntryKind.OTHER and not title:
            raise TimetableError({"title": [_("Give this entry a title.")]})
        _check_times(entry.event, starts_at, duration)
        changes: dict[str, Any] = {
            "starts_at": starts_at,
            "duration": duration,
            "title": title,
            "room": room.strip(),
        }
        TimetableEntry.objects.filter(pk=entry.pk).update(**changes)
        for name, value in changes.items():
            setattr(entry, name, value)
        return entry


def delete_entry(*, entry: TimetableEntry) -> None:
    """Remove an entry; a removed talk is back among the unscheduled accepted talks."""
    with transaction.atomic():
        _lock(entry.event)
        TimetableEntry.objects.filter(pk=entry.pk).delete()


def skeleton_title(entry: TimetableEntry) -> str:
    """The title a talk's slot keeps in a copied timetable: its kind and length, no talk."""
    kind = entry.talk.get_kind_display() if entry.talk is not None else _("Talk")
    return _("%(kind)s slot (%(minutes)s min)") % {"kind": kind, "minutes": entry.duration}


def _moved(entry: TimetableEntry, source: Event, target: Event) -> datetime:
    moved = shift_time(entry.starts_at, event=source, new_start=target.starts_at)
    assert moved is not None
    return moved


def copy_skeleton(*, source: Event, target: Event) -> list[TimetableEntry]:
    """Copy as next (docs/copy-as-next.md): the timetable's slots onto the next event, moved
    with its date (same distance from the start), without talks — a talk's slot becomes an
    "other" entry titled with the talk's kind and length, for the next speakers."""
    entries = TimetableEntry.objects.filter(event=source).select_related("talk")
    with transaction.atomic():
        return TimetableEntry.objects.bulk_create(
            TimetableEntry(
                event=target,
                kind=EntryKind.OTHER if entry.kind == EntryKind.TALK else entry.kind,
                title=skeleton_title(entry) if entry.kind == EntryKind.TALK else entry.title,
                starts_at=_moved(entry, source, target),
                duration=entry.duration,
                room=entry.room,
            )
            for entry in entries
        )
