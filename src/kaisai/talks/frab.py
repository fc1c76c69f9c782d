"""The event's timetable as a frab-compatible schedule (schedule.json and schedule.xml).

The format is the one frab, pretalx and the C3VOC tools exchange (c3voc.de/wiki/schedule);
tests validate the output against JSON Schema and XSD files that encode the C3VOC validator's
rules (tests/talks/schemas/). One structure, `schedule_data`, feeds both serialisations.

What goes in: the accepted talks on the timetable of a public event (doors, breaks and the
after-party are no frab "events": recording and streaming tools would treat them as talks).
Times are in the event's zone, with their UTC offset. Identifiers are stable: a talk's guid
is a UUID 5 of its URL, a person's of their profile URL (guests: of their speaker row), so a
tool that imported the schedule once recognises the same talks and people later.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from xml.etree import ElementTree as ET  # noqa: N817

from django.conf import settings
from django.urls import reverse
from django.utils.text import slugify

from kaisai.core.controls import strip_controls
from kaisai.events import bounds
from kaisai.events.models import Event
from kaisai.talks.enums import MaterialKind, TalkKind, TalkLanguage
from kaisai.talks.models import Speaker, Talk, TimetableEntry

TIMESLOT_MINUTES = 5
GENERATOR = "kaisai"
EVENT_TYPES: dict[str, str] = {
    TalkKind.TALK: "talk",
    TalkKind.LT: "lightning_talk",
    TalkKind.KEYNOTE: "keynote",
}
TRACKS: dict[str, str] = {
    TalkKind.TALK: "Talks",
    TalkKind.LT: "Lightning talks",
    TalkKind.KEYNOTE: "Keynotes",
}
LINK_TYPES: dict[str, str] = {
    MaterialKind.SLIDE: "slides",
    MaterialKind.MOVIE: "media",
    MaterialKind.BLOG: "blog",
    MaterialKind.OTHER: "related",
}


def absolute(path: str) -> str:
    return settings.BASE_URL + path


def talk_url(talk: Talk) -> str:
    return absolute(reverse("talks:detail", kwargs={"talk_id": talk.pk}))


def talk_guid(talk: Talk) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, talk_url(talk)))


def person_guid(speaker: Speaker) -> str:
    if speaker.user_id is not None and speaker.user is not None:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, absolute(speaker.user.get_absolute_url())))
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{settings.BASE_URL}/speakers/{speaker.pk}"))


def room_guid(event: Event, room: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{absolute(event.get_absolute_url())}#{room}"))


def acronym(event: Event) -> str:
    """Lower-case letters, digits and underscores: `mlct_5` for #5 of the group `mlct`."""
    base = re.sub(r"[^a-z0-9_]+", "_", event.group.slug.lower()).strip("_") or "event"
    suffix = str(event.number) if event.number else f"e{event.pk}"
    return f"{base}_{suffix}"


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def default_room(event: Event) -> str:
    """The room of entries without one: the venue's name, else "Online" (not translated:
    the export is data that other tools match on)."""
    if event.has_venue and event.place:
        return event.place
    return "Online" if event.is_online else "Main"


def talk_slug(event: Event, talk: Talk) -> str:
    """Unique in the schedule, ASCII, ending in a letter or digit (the C3VOC pattern)."""
    words = slugify(talk.title)[:50].strip("-_")
    slug = f"{acronym(event)}-{talk.pk}"
    return f"{slug}-{words}" if words else slug


def _person(speaker: Speaker) -> dict[str, Any]:
    name = speaker.display_name
    person: dict[str, Any] = {"name": name, "public_name": name, "guid": person_guid(speaker)}
    if speaker.user_id is not None:
        person["id"] = speaker.user_id
    return person


def _event_item(event: Event, entry: TimetableEntry, room: str) -> dict[str, Any]:
    talk = entry.talk
    assert talk is not None  # noqa: S101 - talk entries only
    local = entry.starts_at.astimezone(event.tz)
    materials = list(talk.materials.all())
    return {
        "id": talk.pk,
        "guid": talk_guid(talk),
        "logo": "",
        "date": local.isoformat(),
        "start": local.strftime("%H:%M"),
        "duration": hhmm(entry.duration),
        "room": room,
        "slug": talk_slug(event, talk),
        "url": talk_url(talk),
        "title": talk.title,
        "subtitle": "",
        "track": TRACKS.get(talk.kind, "Talks"),
        "type": EVENT_TYPES.get(talk.kind, "talk"),
        "language": talk.language if talk.language != TalkLanguage.OTHER else "",
        "abstract": talk.abstract,
        "description": "",
        "recording_license": "",
        "do_not_record": not talk.consent_record,
        "persons": [_person(speaker) for speaker in talk.speakers.all()],
        "links": [
            {
                "url": material.url,
                "title": material.title or material.url,
                "type": LINK_TYPES.get(material.kind, "related"),
            }
            for material in materials
        ],
        "attachments": [],
        "answers": [],
    }


def _days(event: Event, entries: list[TimetableEntry]) -> list[date]:
    """Every local date from the event's first to its last (and any entry's), in order; at
    most bounds.EXPORT_MAX_DAYS of them, whatever is stored."""
    zone = event.tz
    moments = [event.starts_at, bounds.export_end(event.starts_at, event.ends_at)]
    for entry in entries:
        moments += [entry.starts_at, entry.starts_at + timedelta(minutes=entry.duration)]
    first = min(bounds.safe_local(moment, zone).date() for moment in moments)
    last = max(bounds.safe_local(moment, zone).date() for moment in moments)
    return bounds.export_days(first, last)


def _day_bounds(
    event: Event, day: date, entries: list[TimetableEntry]
) -> tuple[datetime, datetime]:
    """From the first thing on that local date to the last (the event's span and its
    entries), clipped to the date."""
    zone = event.tz
    midnight = datetime.combine(day, time.min, tzinfo=zone)
    next_midnight = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    spans = [(event.starts_at, bounds.export_end(event.starts_at, event.ends_at))] + [
        (entry.starts_at, entry.starts_at + timedelta(minutes=entry.duration)) for entry in entries
    ]
    inside = [
        (max(start, midnight), min(end, next_midnight))
        for start, end in spans
        if start < next_midnight and end >= midnight
    ]
    if not inside:
        return midnight, next_midnight
    return (
        min(start for start, _end in inside).astimezone(zone),
        max(end for _start, end in inside).astimezone(zone),
    )


def schedule_data(event: Event, entries: Iterable[TimetableEntry]) -> dict[str, Any]:
    """The schedule as frab's JSON structure: {"schedule": {...}}. `entries` are the event's
    talk entries with talks, speakers and materials loaded (selectors_timetable)."""
    entries = [entry for entry in entries if entry.talk is not None]
    zone = event.tz
    room_of = {entry.pk: entry.room or default_room(event) for entry in entries}
    rooms = list(dict.fromkeys([*room_of.values()])) or [default_room(event)]
    days = _days(event, entries)
    by_day: dict[date, list[TimetableEntry]] = defaultdict(list)
    for entry in entries:
        by_day[entry.starts_at.astimezone(zone).date()].append(entry)
    day_items = []
    for index, day in enumerate(days, start=1):
        day_start, day_end = _day_bounds(event, day, by_day[day])
        day_rooms: dict[str, list[dict[str, Any]]] = {room: [] for room in rooms}
        for entry in by_day[day]:
            room = room_of[entry.pk]
            day_rooms[room].append(_event_item(event, entry, room))
        day_items.append(
            {
                "index": index,
                "date": day.isoformat(),
                "day_start": day_start.isoformat(),
                "day_end": day_end.isoformat(),
                "rooms": day_rooms,
            }
        )
    conference = {
        "acronym": acronym(event),
        "title": event.title,
        "start": days[0].isoformat(),
        "end": days[-1].isoformat(),
        "daysCount": len(days),
        "timeslot_duration": hhmm(TIMESLOT_MINUTES),
        "time_zone_name": event.time_zone,
        "url": absolute(event.get_absolute_url()),
        "rooms": [{"name": room, "guid": room_guid(event, room)} for room in rooms],
        "days": day_items,
    }
    # The version changes whenever anything in the schedule does (tools poll for it).
    digest = hashlib.sha256(
        json.dumps(conference, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    return {
        "schedule": {
            "version": digest[:12],
            "base_url": settings.BASE_URL + "/",
            "conference": conference,
        }
    }


def schedule_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def _sub(parent: ET.Element, tag: str, text: Any = None, **attrs: Any) -> ET.Element:
    """A child element; text stored before control characters were refused is stripped of
    them (XML 1.0 cannot carry them)."""
    element = ET.SubElement(
        parent, tag, {key: strip_controls(str(value)) for key, value in attrs.items()}
    )
    if text is not None:
        element.text = strip_controls(str(text))
    return element


def schedule_xml(data: dict[str, Any]) -> bytes:
    """The same schedule as frab's schedule.xml."""
    schedule = data["schedule"]
    conference = schedule["conference"]
    root = ET.Element("schedule")
    _sub(root, "generator", name=GENERATOR, version="1")
    _sub(root, "version", schedule["version"])
    conf = _sub(root, "conference")
    _sub(conf, "title", conference["title"])
    _sub(conf, "acronym", conference["acronym"])
    _sub(conf, "start", conference["start"])
    _sub(conf, "end", conference["end"])
    _sub(conf, "days", conference["daysCount"])
    _sub(conf, "timeslot_duration", conference["timeslot_duration"])
    _sub(conf, "base_url", schedule["base_url"])
    _sub(conf, "time_zone_name", conference["time_zone_name"])
    for day in conference["days"]:
        day_el = _sub(
            root,
            "day",
            index=day["index"],
            date=day["date"],
            start=day["day_start"],
            end=day["day_end"],
        )
        for room, items in day["rooms"].items():
            room_el = _sub(day_el, "room", name=room)
            for item in items:
                event_el = _sub(room_el, "event", guid=item["guid"], id=item["id"])
                for name in ("date", "start", "duration", "room", "slug", "url", "title",
                             "subtitle", "track", "type", "language", "abstract",
                             "description"):  # fmt: skip
                    _sub(event_el, name, item[name])
                recording = _sub(event_el, "recording")
                _sub(recording, "license", item["recording_license"])
                _sub(recording, "optout", "true" if item["do_not_record"] else "false")
                persons = _sub(event_el, "persons")
                for person in item["persons"]:
                    attrs = {"id": person["id"]} if "id" in person else {}
                    _sub(persons, "person", person["public_name"], **attrs)
                links = _sub(event_el, "links")
                for link in item["links"]:
                    _sub(links, "link", link["title"], href=link["url"])
                _sub(event_el, "attachments")
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
