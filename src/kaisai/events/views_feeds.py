"""Feeds: a group's calendar and Atom feed, a search's Atom feed, and the page that shows (and
resets) the link to the private calendar of one's own schedule (the calendar itself combines
registrations and talks: kaisai.site.views_feeds)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaisai.accounts.requests import signed_in_user
from kaisai.events import calendar_links, feeds
from kaisai.events.forms_search import EventSearchForm
from kaisai.events.search import search_events
from kaisai.groups.models import Group

ATOM = "application/atom+xml; charset=utf-8"


def group_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_object_or_404(Group, slug=slug)
    body = feeds.events_calendar(feeds.group_calendar_events(group), name=group.title)
    return feeds.calendar_response(body, f"{group.slug}.ics")


def group_atom(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_object_or_404(Group, slug=slug)
    body = feeds.events_atom(
        feeds.group_feed_events(group),
        title=group.title,
        link=group.get_absolute_url(),
        feed_url=reverse("groups:feed_atom", kwargs={"slug": group.slug}),
        description=group.subtitle,
    )
    return HttpResponse(body, content_type=ATOM)


def search_atom(request: HttpRequest) -> HttpResponse:
    """The search page's results as a feed, latest announced first."""
    form = EventSearchForm(request.GET)
    if not form.is_valid():
        return HttpResponse(_("Invalid search."), status=400, content_type="text/plain")
    query = form.event_query()
    query.order = "newest"
    events = search_events(query)[: feeds.FEED_ENTRIES]
    params = request.GET.urlencode()
    words = form.cleaned_data.get("q") or ""
    body = feeds.events_atom(
        events,
        title=_("kaisai search: %(words)s") % {"words": words} if words else _("kaisai events"),
        link=reverse("events:search") + (f"?{params}" if params else ""),
        feed_url=reverse("events:search_atom") + (f"?{params}" if params else ""),
    )
    return HttpResponse(body, content_type=ATOM)


@login_required
def my_calendar(request: HttpRequest) -> HttpResponse:
    token = calendar_links.calendar_token_of(signed_in_user(request))
    url = ""
    if token:
        url = settings.BASE_URL + reverse("feeds:my_calendar_ics", args=[token])
    return render(request, "events/my_calendar.html", {"calendar_url": url})


@login_required
@require_POST
def my_calendar_reset(request: HttpRequest) -> HttpResponse:
    calendar_links.reset_calendar_link(user=signed_in_user(request))
    messages.success(request, _("Your calendar link is ready. Any earlier link stops working."))
    return redirect("feeds:my_calendar")
