"""core.subqueries.CountOf: a related count folded into the parent's query."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kaisai.core.subqueries import CountOf
from kaisai.events.models import Event, Sponsor
from tests.factories import EventFactory, SponsorFactory


def test_counts_per_row_in_one_query_and_zero_when_none(db):
    two, none = EventFactory(), EventFactory()
    SponsorFactory(event=two)
    SponsorFactory(event=two)
    SponsorFactory(event=two, name="Filtered out")
    sponsors = CountOf(lambda: Sponsor.objects.exclude(name="Filtered out"), parent="event")
    with CaptureQueriesContext(connection) as queries:
        counts = dict(
            Event.objects.filter(pk__in=[two.pk, none.pk])
            .annotate(n=sponsors())
            .values_list("pk", "n")
        )
    assert counts == {two.pk: 2, none.pk: 0}
    assert len(queries) == 1


def test_compiled_once_and_current_on_every_query(db):
    event = EventFactory()
    sponsors = CountOf(lambda: Sponsor.objects.all(), parent="event")
    assert Event.objects.annotate(n=sponsors()).get(pk=event.pk).n == 0
    first = sponsors._compiled
    SponsorFactory(event=event)
    assert Event.objects.annotate(n=sponsors()).get(pk=event.pk).n == 1
    assert sponsors._compiled is first
