"""The insights' numbers (docs/insights.md) on a small series with known answers, and their
query count flat in the number of registrations."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kaisai.insights import selectors
from tests.factories import UserFactory
from tests.insights.builders import frame_of, held_event, person


@pytest.fixture
def series(group):
    """#1 (held 40 days ago) and #2 (held 2 days ago); Alice comes to both."""
    first = held_event(group, days_ago=40, number=1)
    second = held_event(group, days_ago=2, number=2)
    alice = UserFactory()
    f1 = frame_of(first)
    person(f1, user=alice, applied_days_before=5, came=True)
    person(f1, applied_days_before=5, came=True)
    person(f1, applied_days_before=1)  # no-show
    general = frame_of(second, "General")
    lt = frame_of(second, "LT", capacity=5, order=1)
    person(general, user=alice, applied_days_before=10, came=True)  # returning
    person(general, applied_days_before=3, came=True)  # new
    person(general, applied_days_before=3)  # no-show
    person(general, applied_days_before=2, cancelled_hours_before=2)  # 0–3 h
    person(general, applied_days_before=2, cancelled_hours_before=30)  # 1–2 days
    person(general, applied_days_before=1, accepted=False)  # waitlisted, never accepted
    person(lt, applied_days_before=4, came=True)
    return first, second


def test_event_insights_numbers(series):
    first, second = series
    insights = selectors.event_insights(second)
    assert insights.previous is not None and insights.previous.id == first.pk
    assert [(r.label, r.applied, r.accepted, r.came) for r in insights.funnel] == [
        ("General", 6, 5, 2),
        ("LT", 1, 1, 1),
    ]
    assert [
        (r.event.label, r.accepted, r.came, r.no_shows, r.rate) for r in insights.attendance
    ] == [
        ("#1", 3, 2, 1, 66.7),
        ("#2", 4, 3, 1, 75.0),
    ]
    assert [(r.new, r.returning) for r in insights.returning] == [(2, 0), (2, 1)]
    bins = {b.key: b.count for b in insights.cancellations}
    assert bins["0-3h"] == 1 and bins["1-2d"] == 1 and sum(bins.values()) == 2
    rows = {r.days_before: r for r in insights.applications}
    assert max(rows) == 10  # the earliest application, 10 days before
    assert rows[10].this_event == 1 and rows[10].previous_event == 0
    assert rows[0].this_event == 7 and rows[0].previous_event == 3
    assert rows[3].this_event == 4  # 10, 4, 3, 3 days before


def test_group_insights_numbers(series, group):
    insights = selectors.group_insights(group)
    assert [(r.label, r.applied, r.accepted, r.came) for r in insights.funnel] == [
        ("#1", 3, 3, 2),
        ("#2", 7, 6, 3),
    ]
    assert sum(b.count for b in insights.cancellations) == 2
    assert insights.applications == []


def test_a_later_event_and_a_draft_are_not_in_the_series(series, group):
    from tests.factories import EventFactory

    EventFactory(group=group, status="draft")
    EventFactory(group=group)  # upcoming
    assert [r.event.label for r in selectors.group_insights(group).attendance] == ["#1", "#2"]


def _count_queries(function, *args) -> int:
    with CaptureQueriesContext(connection) as queries:
        function(*args)
    return len(queries)


def test_query_count_flat_in_registrations(group):
    """The same number of queries with 10 and with 200 registrations."""
    counts = []
    for size, days in ((10, 100), (200, 50)):
        previous = held_event(group, days_ago=days + 30, number=days)
        event = held_event(group, days_ago=days, number=days + 1)
        for target in (previous, event):
            frame = frame_of(target)
            for index in range(size):
                person(
                    frame,
                    applied_days_before=index % 20,
                    came=index % 2 == 0,
                    cancelled_hours_before=5 if index % 7 == 0 else None,
                )
        counts.append(
            (
                _count_queries(selectors.event_insights, event),
                _count_queries(selectors.group_insights, group),
            )
        )
    assert counts[0] == counts[1], counts
