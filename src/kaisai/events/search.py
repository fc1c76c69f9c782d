"""Event search: one selector behind the search page, the native API and the connpass-compatible
API. Different criteria are ANDed; several values of one criterion are ORed, except `keywords`
(every keyword must match). Only listed (public) events are searched.

(First version: plain filters; the full-text index path replaces the keyword part.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet

from kaisai.events.models import Event
from kaisai.events.selectors import public_events

ORDERS = ("updated", "start", "newest", "start_desc")


@dataclass
class EventQuery:
    keywords: list[str] = field(default_factory=list)  # all must match (AND)
    keywords_or: list[str] = field(default_factory=list)  # any may match (OR)
    event_ids: list[int] = field(default_factory=list)
    months: list[str] = field(default_factory=list)  # "yyyymm": held in that month
    days: list[str] = field(default_factory=list)  # "yyyymmdd": held on that day
    publish_months: list[str] = field(default_factory=list)
    publish_days: list[str] = field(default_factory=list)
    starts_from: date | None = None  # date range (pages, native API), inclusive
    starts_until: date | None = None
    participant_nicknames: list[str] = field(default_factory=list)
    owner_nicknames: list[str] = field(default_factory=list)
    group_ids: list[int] = field(default_factory=list)
    group_slugs: list[str] = field(default_factory=list)
    prefectures: list[str] = field(default_factory=list)  # Prefecture values or "online"
    tags: list[str] = field(default_factory=list)  # hashtags, without "#"
    order: str = "start"  # one of ORDERS


def _keyword_q(word: str) -> Q:
    return (
        Q(title__icontains=word)
        | Q(catch__icontains=word)
        | Q(description__icontains=word)
        | Q(address__icontains=word)
    )


def search_events(query: EventQuery) -> QuerySet[Event]:
    events = public_events()
    for word in query.keywords:
        events = events.filter(_keyword_q(word))
    if query.keywords_or:
        any_word = Q()
        for word in query.keywords_or:
            any_word |= _keyword_q(word)
        events = events.filter(any_word)
    if query.event_ids:
        events = events.filter(pk__in=query.event_ids)
    if query.group_ids:
        events = events.filter(group_id__in=query.group_ids)
    if query.group_slugs:
        events = events.filter(group__slug__in=query.group_slugs)
    if query.prefectures:
        place = Q(prefecture__in=[p for p in query.prefectures if p != "online"])
        if "online" in query.prefectures:
            place |= Q(venue_kind__in=["online", "hybrid"])
        events = events.filter(place)
    if query.tags:
        events = events.filter(hashtag__in=[t.lstrip("#") for t in query.tags])
    if query.starts_from:
        events = events.filter(starts_at__date__gte=query.starts_from)
    if query.starts_until:
        events = events.filter(starts_at__date__lte=query.starts_until)
    ordering = {
        "updated": ["-updated_at", "-id"],
        "start": ["starts_at", "id"],
        "newest": ["-published_at", "-id"],
        "start_desc": ["-starts_at", "-id"],
    }[query.order]
    return events.order_by(*ordering)
