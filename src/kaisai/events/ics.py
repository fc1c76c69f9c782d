"""An event as an RFC 5545 calendar (one VEVENT), built with the icalendar library."""

from __future__ import annotations

from datetime import UTC
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from kaisai.events import bounds
from kaisai.events.enums import EventStatus
from kaisai.events.models import Event
from kaisai.events.text import markdown_to_text

ICAL_STATUS: dict[str, str] = {
    EventStatus.PUBLISHED: "CONFIRMED",
    EventStatus.CANCELLED: "CANCELLED",
    EventStatus.POSTPONED: "TENTATIVE",
    EventStatus.DRAFT: "TENTATIVE",
}


def site_host() -> str:
    return urlsplit(settings.BASE_URL).hostname or "localhost"


def event_uid(event: Event) -> str:
    """Stable for the life of the event, whatever it is renamed or moved to."""
    return f"event-{event.pk}@{site_host()}"


def event_location(event: Event) -> str:
    parts = []
    if event.has_venue:
        parts += [event.place, event.address]
    if event.is_online:
        parts.append(event.stream_url or _("Online"))
    return ", ".join(part for part in parts if part)


def event_to_vevent(event: Event) -> icalendar.Event:
    url = settings.BASE_URL + event.get_absolute_url()
    vevent = icalendar.Event()
    vevent.add("uid", event_uid(event))
    vevent.add("dtstamp", (event.updated_at or timezone.now()).astimezone(UTC))
    vevent.add("dtstart", event.starts_at.astimezone(UTC))
    vevent.add("dtend", bounds.export_end(event.starts_at, event.ends_at).astimezone(UTC))
    summary = event.title
    if event.status == EventStatus.CANCELLED:
        summary = _("[Cancelled] %(title)s") % {"title": event.title}
    elif event.status == EventStatus.POSTPONED:
        summary = _("[Postponed] %(title)s") % {"title": event.title}
    vevent.add("summary", summary)
    location = event_location(event)
    if location:
        vevent.add("location", location)
    vevent.add("url", url)
    description = "\n\n".join(
        part for part in (event.catch, markdown_to_text(event.description), url) if part
    )
    vevent.add("description", description)
    vevent.add("status", ICAL_STATUS.get(event.status, "TENTATIVE"))
    if event.has_venue and event.latitude is not None and event.longitude is not None:
        vevent.add("geo", (float(event.latitude), float(event.longitude)))
    return vevent


def event_calendar(
    event: Event, *, ticket_url: str = "", receipt_number: int | None = None
) -> bytes:
    """The event as a calendar. With a ticket (the participant's own .ics), the entry links to
    the ticket and names the receipt number."""
    vevent = event_to_vevent(event)
    if ticket_url:
        vevent["url"] = ticket_url
        note = _("Your ticket (receipt number %(number)s): %(url)s") % {
            "number": receipt_number,
            "url": ticket_url,
        }
        vevent["description"] = f"{note}\n\n{vevent['description']}"
    cal = icalendar.Calendar()
    cal.add("prodid", "-//kaisai//kaisai events//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add_component(vevent)
    return cal.to_ical()
