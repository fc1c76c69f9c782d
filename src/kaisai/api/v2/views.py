"""The seven endpoints of connpass API v2 (GET, X-API-Key), see docs/api-v2.md."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from kaisai.accounts.models import User
from kaisai.api.v2 import representation as rep
from kaisai.api.v2 import selectors, selectors_facts, selectors_page
from kaisai.api.v2.access import api_v2_view
from kaisai.api.v2.params import (
    MAX_INT,
    EventParams,
    Page,
    event_params,
    list_params,
    page_params,
)
from kaisai.events.models import Event

JSON = dict[str, Any]


def _page_json(rows: list[selectors.EventRow], available: int, page: Page) -> JSON:
    facts = selectors_facts.event_facts(rows)
    items = rep.event_items(rows, facts)
    return rep.envelope("events", items, available=available, start=page.start)


def _keyword_page(params: EventParams, user: User) -> JSON:
    """A search whose condition is costly per row (keywords): the page's ids and the count from
    one statement (`selectors_page.counted_page`), through the search cache; rows by id."""
    ids, available = selectors_page.keyword_page(params, viewer=user)
    return _page_json(selectors_page.event_rows_by_id(ids), available, params.page)


def _events_page(events: QuerySet[Event], page: Page) -> JSON:
    if page.offset == 0:
        # The page first: a first page shorter than asked holds every match, so the count
        # (as costly as the search itself for a common keyword) is only needed for full pages.
        rows = selectors.event_rows(events, 0, page.count)
        available = len(rows) if len(rows) < page.count else events.count()
    else:
        available = events.count()
        rows = (
            selectors.event_rows(events, page.offset, page.count) if page.offset < available else []
        )
    return _page_json(rows, available, page)


def _person(nickname: str) -> User:
    person = selectors.active_user_or_none(nickname)
    if person is None:
        raise Http404(nickname)
    return person


@api_v2_view
def events(request: HttpRequest, user: User) -> JSON:
    params = event_params(request.GET)
    if params.keywords or params.keywords_or:
        return _keyword_page(params, user)
    return _events_page(selectors.search(params, viewer=user), params.page)


@api_v2_view
def event_presentations(request: HttpRequest, user: User, pk: str) -> JSON:
    page = page_params(request.GET)
    event = selectors.public_event_or_none(int(pk)) if int(pk) <= MAX_INT else None
    if event is None:
        raise Http404(pk)
    materials = selectors.presentations_of(event)
    available = materials.count()
    rows = (
        list(materials[page.offset : page.offset + page.count]) if page.offset < available else []
    )
    items = [rep.presentation_json(material, event.tz) for material in rows]
    return rep.envelope("presentations", items, available=available, start=page.start)


def _groups_page(groups: QuerySet, page: Page) -> JSON:
    available = groups.count()
    rows = list(groups[page.offset : page.offset + page.count]) if page.offset < available else []
    html = rep.render_all(group.description for group in rows)
    items = [rep.group_json(group, html) for group in rows]
    return rep.envelope("groups", items, available=available, start=page.start)


@api_v2_view
def groups(request: HttpRequest, user: User) -> JSON:
    subdomains, page = list_params(request.GET, "subdomain")
    return _groups_page(selectors.groups_by_subdomain(subdomains), page)


@api_v2_view
def users(request: HttpRequest, user: User) -> JSON:
    nicknames, page = list_params(request.GET, "nickname")
    people = selectors.users_by_nickname(nicknames)
    available = people.count()
    rows = list(people[page.offset : page.offset + page.count]) if page.offset < available else []
    counts = selectors.user_counts(person.pk for person in rows)
    items = [rep.user_json(person, counts[person.pk]) for person in rows]
    return rep.envelope("users", items, available=available, start=page.start)


@api_v2_view
def user_groups(request: HttpRequest, user: User, nickname: str) -> JSON:
    page = page_params(request.GET)
    return _groups_page(selectors.groups_of(_person(nickname)), page)


@api_v2_view
def user_attended_events(request: HttpRequest, user: User, nickname: str) -> JSON:
    page = page_params(request.GET)
    return _events_page(selectors.attended_events(_person(nickname), viewer=user), page)


@api_v2_view
def user_presenter_events(request: HttpRequest, user: User, nickname: str) -> JSON:
    page = page_params(request.GET)
    return _events_page(selectors.presenter_events(_person(nickname)), page)
