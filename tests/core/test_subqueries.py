"""core.subqueries: a related count (CountOf) and related rows (RowsOf) folded into the
parent's query."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kaisai.core.subqueries import CountOf, RowsOf
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


def test_rows_of_gives_each_parents_rows_in_their_order_in_the_parents_query(db):
    """RowsOf: the related rows as instances equal to the ORM's, in the model's order (order,
    then id), from the parent's own query; none for a parent without any."""
    two, none = EventFactory(), EventFactory()
    second = SponsorFactory(event=two, name="Second", order=2, logo="sponsors/b.png")
    first = SponsorFactory(event=two, name="First <&>", order=1, url="", provides="")
    SponsorFactory(event=EventFactory(), name="Another event's")
    rows = RowsOf(lambda: Sponsor.objects.all(), parent="event")
    with CaptureQueriesContext(connection) as queries:
        events = {
            event.pk: rows.load(event.sponsor_rows)
            for event in Event.objects.filter(pk__in=[two.pk, none.pk]).annotate(
                sponsor_rows=rows()
            )
        }
    assert len(queries) == 1
    assert events[none.pk] == []
    loaded = events[two.pk]
    assert loaded == [first, second] == list(two.sponsors.all())
    for mine, orm in zip(loaded, two.sponsors.all(), strict=True):
        for field in Sponsor._meta.concrete_fields:
            assert getattr(mine, field.attname) == getattr(orm, field.attname), field.name
    assert loaded[1].logo.url == second.logo.url
    assert loaded[1]._state.adding is False  # loaded from the database, as the ORM's


def test_rows_of_refuses_a_field_json_would_change(db):
    rows = RowsOf(lambda: Event.objects.all(), parent="group")  # dates, times
    with pytest.raises(TypeError):
        rows()
