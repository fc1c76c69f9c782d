"""A scheduled talk as an RFC 5545 calendar (one VEVENT), built with the icalendar library."""

from __future__ import annotations

from datetime import UTC, timedelta

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kaisai.events.ics import ICAL_STATUS, event_location, site_host
from kaisai.events.text import markdown_to_text
from kaisai.talks.models import TimetableEntry


def talk_uid(entry: TimetableEntry) -> str:
    return f"talk-{entry.talk_id}@{site_host()}"


def talk_calendar(entry: TimetableEntry) -> bytes:
    """The talk of a timetable entry, at its time, with its speakers, room and event."""
    talk = entry.talk
    assert talk is not None  # noqa: S101 - talk entries only
    event = entry.event
    url = settings.BASE_URL + reverse("talks:detail", kwargs={"talk_id": talk.pk})
    speakers = ", ".join(speaker.display_name for speaker in talk.speakers.all())
    vevent = icalendar.Event()
    vevent.add("uid", talk_uid(entry))
    vevent.add("dtstamp", (talk.updated_at or timezone.now()).astimezone(UTC))
    vevent.add("dtstart", entry.starts_at.astimezone(UTC))
    vevent.add("dtend", (entry.starts_at + timedelta(minutes=entry.duration)).astimezone(UTC))
    vevent.add("summary", f"{talk.title} ({speakers})" if speakers else talk.title)
    location = ", ".join(part for part in (entry.room, event_location(event)) if part)
    if location:
        vevent.add("location", location)
    vevent.add("url", url)
    intro = event.title
    if speakers:
        intro = _("%(event)s, a talk by %(speakers)s") % {
            "event": event.title,
            "speakers": speakers,
        }
    description = "\n\n".join(
        part for part in (intro, markdown_to_text(talk.abstract), url) if part
    )
    vevent.add("description", description)
    vevent.add("status", ICAL_STATUS.get(event.status, "TENTATIVE"))
    cal = icalendar.Calendar()
    cal.add("prodid", "-//kaisai//kaisai talks//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add_component(vevent)
    return cal.to_ical()
