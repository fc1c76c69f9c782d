"""The list of event cards (events/_event_list.html: the search page, the event list, the home
page), written out in Python.

The same markup through Django's template engine cost ≈ 200 µs a card (variable look-ups,
two `reverse()`, two date filters with their time zone conversions): 6 ms of the search
page's 12 ms of app CPU for 30 results (issue 17). Here a card costs a few string joins. The
output is the very bytes the template made (tests/events/test_cards.py renders both, the
template kept there as the reference, for every branch: status badges, held, place or online,
number, catch, time zones, languages, HTML in the texts).
"""

from __future__ import annotations

import html
import re
import zoneinfo
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # not in the stubs
from django.utils.translation import gettext

from kaisai.events.models import Event, EventStatus

_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def _e(text: Any) -> str:
    """`conditional_escape`, its lazy-string wrapper skipped for a plain str (most of a
    card's cost otherwise)."""
    return html.escape(text) if type(text) is str else conditional_escape(text)


@lru_cache(maxsize=32)
def _url_parts(name: str, kwarg: str, placeholder: str, *_key: object) -> tuple[str, str]:
    head, _found, tail = reverse(name, kwargs={kwarg: placeholder}).partition(placeholder)
    return head, tail


def _url_maker(name: str, kwarg: str, placeholder: str) -> Callable[[object], str]:
    """`reverse(name, kwargs={kwarg: value})` for a value its converter takes as it is (an int,
    a slug): reversed once per script prefix and URL conf."""
    head, tail = _url_parts(name, kwarg, placeholder, get_script_prefix(), get_urlconf())
    return lambda value: f"{head}{value}{tail}"


def _local_text(moment: datetime, zone_name: str, weekdays: list[str]) -> str:
    """`moment|timezone:zone_name|date:"Y-m-d (D) H:i"` (tz's `timezone` filter: "" for an
    unknown zone)."""
    try:
        zone = zoneinfo.ZoneInfo(zone_name)
    except zoneinfo.ZoneInfoNotFoundError:
        return ""
    local = moment.astimezone(zone)
    weekday = weekdays[local.weekday()]
    return (
        f"{local.year:04d}-{local.month:02d}-{local.day:02d} ({weekday}) "
        f"{local.hour:02d}:{local.minute:02d}"
    )


def _badge(event: Event) -> str:
    if event.status == EventStatus.CANCELLED:
        return f'<span class="badge cancelled">{_e(gettext("Cancelled"))}</span>'
    if event.status == EventStatus.POSTPONED:
        return f'<span class="badge postponed">{_e(gettext("Postponed"))}</span>'
    if event.status == EventStatus.DRAFT:
        return f'<span class="badge draft">{_e(gettext("Draft"))}</span>'
    if event.is_held:
        return f'<span class="badge">{_e(gettext("Held"))}</span>'
    return ""


def event_cards(events: Iterable[Event] | None) -> SafeString:
    """The `<ul class="card-list">` of these events, as events/_event_list.html wrote it."""
    event_url = _url_maker("events:detail", "pk", "9876543210")
    group_url = _url_maker("groups:detail", "slug", "kaisai-placeholder")
    online = _e(gettext("Online"))
    weekdays = [str(WEEKDAYS_ABBR[day]) for day in range(7)]  # the date filter's "D"
    parts = ['<ul class="card-list">\n']
    empty = True
    for event in events or ():
        empty = False
        group = event.group
        pk = event.pk
        url = event_url(pk) if type(pk) is int else event.get_absolute_url()
        slug = group.slug
        gurl = group_url(slug) if _SLUG.fullmatch(slug) else group.get_absolute_url()
        starts_at = event.starts_at
        number = f" #{_e(localize(event.number))}" if event.number else ""
        if event.place:
            where = f" · {_e(event.place)}"
        elif event.is_online:
            where = f" · {online}"
        else:
            where = ""
        catch = f"<p>{_e(event.catch)}</p>" if event.catch else ""
        parts.append(
            f'\n  <li class="card">\n'
            f'    <h3><a href="{_e(url)}">{_e(event.title)}</a>\n'
            f"      {_badge(event)}\n"
            f"    </h3>\n"
            f'    <p class="meta">\n'
            f'      <time datetime="{_e(_iso(starts_at))}">'
            f"{_e(_local_text(starts_at, event.time_zone, weekdays))}</time>\n"
            f'      · <a href="{_e(gurl)}">{_e(group.title)}</a>'
            f"{number}\n"
            f"      {where}\n"
            f"    </p>\n"
            f"    {catch}\n"
            f"  </li>\n"
        )
    if empty:
        parts.append(f'\n  <li class="muted">{_e(gettext("No events."))}</li>\n')
    parts.append("\n</ul>")
    return mark_safe("".join(parts))  # noqa: S308 - every variable part escaped above


def _iso(moment: datetime) -> str:
    """`moment|date:'c'`: in the current time zone, ISO 8601."""
    return template_localtime(moment).isoformat()
