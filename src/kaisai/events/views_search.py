"""The event search page, /events/search/ (GET only; a bookmarkable query string)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kaisai.events.forms_search import EventSearchForm
from kaisai.events.search import EventQuery
from kaisai.events.search_cache import search_page

RESULTS_PER_PAGE = 30
MAX_PAGE = 200


def _page_number(request: HttpRequest) -> int:
    text = request.GET.get("page", "")
    return min(max(int(text), 1), MAX_PAGE) if text.isdigit() else 1


def search(request: HttpRequest) -> HttpResponse:
    """Without a query string: upcoming events. Results by start, 30 a page; no total count
    (one query less; a keyword matching many events is costly to count)."""
    params = request.GET.copy()
    params.pop("page", None)
    if params:
        form = EventSearchForm(request.GET)
        query = form.event_query() if form.is_valid() else None
    else:
        today = timezone.localdate()
        form = EventSearchForm(initial={"starts_from": today})
        query = EventQuery(starts_from=today)
    number = _page_number(request)
    events = []
    if query is not None:
        offset = (number - 1) * RESULTS_PER_PAGE
        events = search_page(query, offset, RESULTS_PER_PAGE + 1)
    context = {
        "form": form,
        "events": events[:RESULTS_PER_PAGE],
        "page_number": number,
        "has_next": len(events) > RESULTS_PER_PAGE and number < MAX_PAGE,
        "has_previous": number > 1,
        "query_string": params.urlencode(),
        "searched": bool(params),
    }
    return render(request, "events/search.html", context, status=400 if query is None else 200)
