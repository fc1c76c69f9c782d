"""Reads of the timetable: its entries with talks and speakers, the talks still to schedule,
and what the event page shows (template talks/_event_timetable.html)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest

from kaisai.events.models import Event
from kaisai.talks.enums import EntryKind, TalkState
from kaisai.talks.models import Material, Speaker, Talk, TimetableEntry


def _speakers() -> Prefetch:
    return Prefetch(
        "talk__speakers", queryset=Speaker.objects.select_related("user").order_by("order", "id")
    )


def timetable_entries(event: Event) -> QuerySet[TimetableEntry]:
    """The entries in time order with their talks and speakers, two queries whatever their
    number. Talk entries whose talk is no longer accepted (withdrawn after scheduling) are
    left out."""
    return (
        TimetableEntry.objects.filter(event=event)
        .filter(~Q(kind=EntryKind.TALK) | Q(talk__state=TalkState.ACCEPTED))
        .select_related("talk")
        .prefetch_related(_speakers())
        .order_by("starts_at", "id")
    )


def scheduled_talk_entries(event: Event) -> QuerySet[TimetableEntry]:
    """The talk entries only, with speakers and the talks' materials (for the frab export)."""
    return (
        timetable_entries(event)
        .filter(kind=EntryKind.TALK)
        .prefetch_related(
            Prefetch("talk__materials", queryset=Material.objects.order_by("created_at", "id"))
        )
    )


def unscheduled_accepted_talks(event: Event) -> QuerySet[Talk]:
    """Accepted talks of the event that are not on the timetable yet."""
    return (
        Talk.objects.filter(event=event, state=TalkState.ACCEPTED, slot__isnull=True)
        .prefetch_related(Prefetch("speakers", queryset=Speaker.objects.select_related("user")))
        .order_by("id")
    )


def scheduled_entry_of_talk(talk_id: int) -> TimetableEntry | None:
    """A talk's timetable entry with its event and speakers (for the talk's .ics), or None."""
    return (
        TimetableEntry.objects.filter(talk_id=talk_id, kind=EntryKind.TALK)
        .select_related("talk", "event", "event__group")
        .prefetch_related(_speakers())
        .first()
    )


def event_page_context(request: HttpRequest, event: Event, *, can_manage: bool) -> dict[str, Any]:
    """Context for the event page's timetable (template talks/_event_timetable.html)."""
    if getattr(event, "n_timetable_entries", None) == 0:  # counted by the page's query
        return {"timetable": []}
    entries = list(timetable_entries(event))
    return {"timetable": entries, "timetable_digest": timetable_digest(event, entries)}


def timetable_digest(event: Event, entries: list[TimetableEntry]) -> str:
    """A digest of everything the rendered timetable shows, the key of its cached fragment:
    any change to an entry, talk or speaker (or the event's time zone and status) is a new
    key, so the fragment is never stale (the language is added by the template)."""
    shown: list[Any] = [event.pk, event.time_zone, event.status]
    for entry in entries:
        shown.append((entry.pk, entry.kind, entry.starts_at, entry.duration, entry.room))
        shown.append(entry.title)
        talk = entry.talk
        if talk is not None:
            speakers = [
                (s.pk, s.user.nickname if s.user else "", s.display_name)
                for s in talk.speakers.all()
            ]
            shown.append((talk.pk, talk.title, talk.kind, speakers))
    return hashlib.sha256(repr(shown).encode()).hexdigest()
