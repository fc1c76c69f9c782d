"""core.lookups.one_of: the same rows as `__in`, as `= ANY(array)` on PostgreSQL."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kaisai.core.lookups import one_of
from kaisai.events.models import Event
from tests.factories import EventFactory


def test_one_of_finds_what_in_finds(db):
    events = [EventFactory() for _ in range(4)]
    wanted = [events[0].pk, events[2].pk, 10**9]
    with CaptureQueriesContext(connection) as queries:
        found = sorted(Event.objects.filter(one_of("id", wanted)).values_list("pk", flat=True))
    assert found == sorted(Event.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    assert found == [events[0].pk, events[2].pk]
    assert ("= ANY(" in queries[0]["sql"]) == (connection.vendor == "postgresql")


def test_one_of_an_empty_list_finds_nothing(db):
    EventFactory()
    assert not Event.objects.filter(one_of("id", [])).exists()
