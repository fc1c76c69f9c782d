"""What "copy as next" will write, for the preview page (reads only; the write is
kaisai.site.services_copy_next)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Max

from kaisai.events.models import Event
from kaisai.events.services import next_title, shift_time
from kaisai.registrations.models import Question
from kaisai.registrations.services.copying import planned_frames
from kaisai.talks.enums import EntryKind
from kaisai.talks.models import TimetableEntry
from kaisai.talks.services.timetable import skeleton_title


def copy_preview(event: Event, starts_at: datetime) -> dict[str, Any]:
    """The new event's title, times, frames (moved), questions, sponsors and timetable."""
    top = Event.objects.filter(group_id=event.group_id).aggregate(top=Max("number"))["top"]
    number = (top or 0) + 1

    def moved(value: datetime | None) -> datetime | None:
        return shift_time(value, event=event, new_start=starts_at)

    slots = [
        {
            "starts_at": moved(entry.starts_at),
            "duration": entry.duration,
            "title": skeleton_title(entry) if entry.kind == EntryKind.TALK else str(entry),
        }
        for entry in TimetableEntry.objects.filter(event=event).select_related("talk")
    ]
    frames = planned_frames(event, starts_at)
    return {
        "number": number,
        "title": next_title(event.title, event.number, number),
        "starts_at": starts_at,
        "ends_at": moved(event.ends_at),
        "afterparty_starts_at": moved(event.afterparty_starts_at),
        "frames": frames,
        "frames_in_past": [copy.source.name for copy in frames if copy.in_past],
        "questions": list(Question.objects.filter(event=event).order_by("order", "id")),
        "sponsors": list(event.sponsors.all()),
        "slots": slots,
    }
