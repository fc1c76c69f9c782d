"""The one-pass page of a keyword search (`selectors_page.counted_page`) against the two queries it
replaces (the page by the search's order, then `COUNT(*)`): same ids in the same order, same
count, same JSON body, for every order, page and tie."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from django.http import QueryDict

from kaisai.api.v2 import selectors, selectors_page, views
from kaisai.api.v2.params import Page, event_params
from kaisai.events.enums import EventStatus
from kaisai.events.models import Event
from tests.api.v2.factories import TOKYO_EVENING, frame, past_event


@pytest.fixture
def matches(mlct):
    """Eleven events matching "rust" (ties in every order key, a cancelled one, one without a
    publication time) and three that do not."""
    events = []
    for n in range(11):
        events.append(
            past_event(
                group=mlct,
                title=f"Rust night {n}" if n % 3 else "Meetup",
                catch="" if n % 3 else "all about RUST",
                prefecture="tokyo" if n % 2 else "osaka",
                starts_at=TOKYO_EVENING + timedelta(days=n // 3),
                status=EventStatus.CANCELLED if n == 4 else EventStatus.PUBLISHED,
            )
        )
    for n in range(3):
        past_event(group=mlct, title=f"Go night {n}", catch="", description="")
    # Ties: updated_at and published_at shared by pairs; one never published (NULL).
    for first, second in zip(events[::2], events[1::2], strict=False):
        Event.objects.filter(pk=second.pk).update(
            updated_at=first.updated_at, published_at=first.published_at
        )
    Event.objects.filter(pk=events[7].pk).update(published_at=None)
    frame(events[0], capacity=1)
    frame(events[3], capacity=5)
    return events


def old_page(events, offset: int, count: int) -> tuple[list[int], int]:
    return [row["id"] for row in selectors.event_rows(events, offset, count)], events.count()


QUERIES = [
    "keyword=rust",
    "keyword=rust&order=2",
    "keyword=rust&order=3",
    "keyword=rust&prefecture=tokyo",
    "keyword_or=rust,go&order=3",
    "keyword=night&keyword_or=rust,go&order=2",
]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize(("offset", "count"), [(0, 100), (0, 3), (3, 3), (9, 5), (13, 2)])
def test_counted_page_is_the_page_and_the_count(reader, matches, query, offset, count):
    params = event_params(QueryDict(query))
    events = selectors.search(params, viewer=reader)
    expected_ids, expected_count = old_page(events, offset, count)
    ids, counted = selectors_page.counted_page(events, offset, count)
    assert ids == expected_ids
    assert counted == (expected_count if ids else None if offset else 0)


def test_counted_page_beyond_the_end_leaves_the_count_to_the_caller(reader, matches):
    events = selectors.search(event_params(QueryDict("keyword=rust")), viewer=reader)
    assert selectors_page.counted_page(events, 50, 10) == ([], None)
    assert selectors_page.counted_page(events.filter(pk=0), 0, 10) == ([], 0)


def test_event_rows_by_id_keeps_the_order_given(matches):
    ids = [matches[5].pk, matches[0].pk, matches[9].pk, 0]
    assert [row["id"] for row in selectors_page.event_rows_by_id(ids)] == ids[:3]
    assert selectors_page.event_rows_by_id([]) == []


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("start", [1, 4, 12, 40])
def test_one_pass_body_equals_the_two_query_body(reader, matches, query, start):
    params = event_params(QueryDict(query))
    page = Page(start=start, count=4)
    old = views._events_page(selectors.search(params, viewer=reader), page)
    new = views._keyword_page(dataclasses.replace(params, page=page), reader)
    assert new == old
    assert list(new) == ["results_returned", "results_available", "results_start", "events"]
