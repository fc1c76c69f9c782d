"""core.subqueries.count_of: a related count folded into the parent's query."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kaisai.core.subqueries import count_of
from kaisai.events.models import Event, Sponsor
from tests.factories import EventFactory, SponsorFactory


def test_counts_per_row_in_one_query_and_zero_when_none(db):
    two, none = EventFactory(), EventFactory()
    SponsorFactory(event=two)
    SponsorFactory(event=two)
    SponsorFactory(event=two, name="Filtered out")
    rows = Sponsor.objects.exclude(name="Filtered out")
    with CaptureQueriesContext(connection) as queries:
        counts = dict(
            Event.objects.filter(pk__in=[two.pk, none.pk])
            .annotate(n=count_of(rows, parent="event"))
            .values_list("pk", "n")
        )
    assert counts == {two.pk: 2, none.pk: 0}
    assert len(queries) == 1
