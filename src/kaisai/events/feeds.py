"""Feeds of events: iCalendar (a group's events, a person's schedule) and Atom (a group, a
search). What goes in them is chosen by the selectors at the end (a person's schedule, which
combines registrations and talks, by kaisai.site.selectors_schedule); drafts never appear, and
cancelled or postponed events are marked in their titles (and STATUS in iCalendar)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

import icalendar
from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kaisai.core.controls import strip_controls
from kaisai.events import bounds
from kaisai.events.enums import EventStatus
from kaisai.events.ics import event_location, event_to_vevent
from kaisai.events.models import Event
from kaisai.events.selectors import public_events
from kaisai.events.text import event_summary

FEED_ENTRIES = 50  # Atom entries per feed
CALENDAR_PAST_DAYS = 365  # a group calendar keeps the last year's events
CALENDAR_ENTRIES = 500
ICS = "text/calendar; charset=utf-8"


def _absolute(path: str) -> str:
    return settings.BASE_URL + path


def marked_title(event: Event) -> str:
    if event.status == EventStatus.CANCELLED:
        return _("[Cancelled] %(title)s") % {"title": event.title}
    if event.status == EventStatus.POSTPONED:
        return _("[Postponed] %(title)s") % {"title": event.title}
    return event.title


def summary_line(event: Event) -> str:
    """connpass-like: when (in the event's zone) and where, on one line."""
    start = bounds.safe_local(event.starts_at, event.tz)
    end = bounds.safe_local(bounds.export_end(event.starts_at, event.ends_at), event.tz)
    when = date_format(start, "Y/m/d (D) H:i")
    when += " – " + date_format(end, "H:i" if end.date() == start.date() else "Y/m/d H:i")
    where = event_location(event) or _("Place to be announced")
    return _("Date: %(when)s / Place: %(where)s") % {"when": when, "where": where}


# --- iCalendar ------------------------------------------------------------------------------


def events_calendar(
    events: Iterable[Event], *, name: str, notes: dict[int, str] | None = None
) -> bytes:
    """One VEVENT per event. `notes` (event id → text) are put in front of the description,
    e.g. the person's own registration status."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//kaisai//kaisai events//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for event in events:
        vevent = event_to_vevent(event)
        note = (notes or {}).get(event.pk)
        if note:
            vevent["description"] = f"{note}\n\n{vevent['description']}"
        cal.add_component(vevent)
    return cal.to_ical()


def calendar_response(body: bytes, filename: str, *, private: bool = False) -> HttpResponse:
    """A calendar as an inline .ics response; a private one is neither cached nor indexed."""
    response = HttpResponse(body, content_type=ICS)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    if private:
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
    return response


# --- Atom -----------------------------------------------------------------------------------


def events_atom(
    events: Iterable[Event], *, title: str, link: str, feed_url: str, description: str = ""
) -> str:
    feed = Atom1Feed(
        title=strip_controls(title),
        link=_absolute(link),
        description=strip_controls(description),
        feed_url=_absolute(feed_url),
        language=settings.LANGUAGE_CODE,
    )
    for event in events:
        summary = summary_line(event)
        extra = event_summary(event)
        # Text stored before control characters were refused would make the XML invalid.
        feed.add_item(
            title=strip_controls(marked_title(event)),
            link=_absolute(event.get_absolute_url()),
            description=strip_controls(f"{summary}\n{extra}" if extra else summary),
            unique_id=_absolute(event.get_absolute_url()),
            unique_id_is_permalink=True,
            pubdate=event.published_at or event.created_at,
            updateddate=event.updated_at,
            author_name=strip_controls(event.group.title),
            author_link=_absolute(event.group.get_absolute_url()),
            categories=[strip_controls(event.hashtag)] if event.hashtag else None,
        )
    return feed.writeString("utf-8")


# --- what goes in them ----------------------------------------------------------------------


def group_calendar_events(group) -> QuerySet[Event]:
    """The group's listed events of the last year and all ahead, by start."""
    since = timezone.now() - timedelta(days=CALENDAR_PAST_DAYS)
    events = public_events().filter(group=group, ends_at__gte=since)
    return events.order_by("starts_at", "id")[:CALENDAR_ENTRIES]


def group_feed_events(group) -> QuerySet[Event]:
    """The group's listed events, latest announced first."""
    events = public_events().filter(group=group)
    return events.order_by("-published_at", "-id")[:FEED_ENTRIES]
