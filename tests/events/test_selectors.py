"""`ending_from_q`: on PostgreSQL it adds a bound on `starts_at` from the longest duration of any
event (migration events.0008); the answer must be the plain `ends_at >= moment`, whatever the
durations (long ones written before events.bounds, zero; the table forbids negative ones)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from kaisai.events.models import Event
from kaisai.events.search import EventQuery, search_events
from kaisai.events.selectors import ending_from_q, upcoming_public_events
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def spans(group):
    """(start offset, duration) around NOW, in hours: long, short, zero, past."""
    for title, start, hours in [
        ("year-long, started long ago", -24 * 300, 24 * 400),
        ("ended long ago", -24 * 300, 2),
        ("ends exactly now", -3, 3),
        ("ended a second ago", -3, 3 - 1 / 3600),
        ("on now", -1, 2),
        ("tomorrow", 24, 2),
        ("zero length, later", 5, 0),
    ]:
        starts_at = NOW + timedelta(hours=start)
        EventFactory(
            group=group,
            title=title,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=hours),
        )


def titles(queryset) -> set[str]:
    return set(queryset.values_list("title", flat=True))


@pytest.mark.parametrize("offset", [-24 * 400, -24 * 300, -3, 0, 1, 24, 24 * 200])
def test_the_same_events_as_the_plain_condition(spans, offset):
    moment = NOW + timedelta(hours=offset)
    plain = titles(Event.objects.filter(ends_at__gte=moment))
    assert titles(Event.objects.filter(ending_from_q(moment))) == plain
    assert titles(search_events(EventQuery(ends_from=moment))) == plain


def test_upcoming_lists_keep_a_long_event(spans, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    assert titles(upcoming_public_events()) == {
        "year-long, started long ago",
        "ends exactly now",
        "on now",
        "tomorrow",
        "zero length, later",
    }


def test_no_events_no_error(db):
    assert list(Event.objects.filter(ending_from_q(NOW))) == []


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the index is PostgreSQL's")
def test_the_longest_duration_comes_from_the_index(spans):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN SELECT max(ends_at - starts_at) FROM events_event")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "event_duration" in plan, plan


def test_an_event_of_millennia_is_no_error_and_stays_upcoming(group):
    EventFactory(
        group=group,
        title="forever",
        starts_at=datetime(1, 1, 2, tzinfo=UTC),
        ends_at=datetime(9999, 12, 30, tzinfo=UTC),
    )
    EventFactory(group=group, title="later", starts_at=NOW, ends_at=NOW + timedelta(hours=1))
    for moment in (datetime(1, 1, 3, tzinfo=UTC), NOW, datetime(9999, 12, 1, tzinfo=UTC)):
        plain = titles(Event.objects.filter(ends_at__gte=moment))
        assert titles(Event.objects.filter(ending_from_q(moment))) == plain
    assert "forever" in titles(Event.objects.filter(ending_from_q(NOW)))
