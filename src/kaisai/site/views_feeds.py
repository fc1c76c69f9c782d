"""The private calendar of one's own schedule (registrations and talks)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from kaisai.events import calendar_links, feeds
from kaisai.site.selectors_schedule import my_schedule


def my_calendar_ics(request: HttpRequest, token: str) -> HttpResponse:
    user = calendar_links.user_for_calendar_token(token)
    if user is None:
        raise Http404
    events, notes = my_schedule(user)
    body = feeds.events_calendar(events, name=_("My events (kaisai)"), notes=notes)
    return feeds.calendar_response(body, "my-events.ics", private=True)
