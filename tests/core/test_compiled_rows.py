"""Rows of a values_list() query compiled once (core/compiled_rows.py): the queryset's own rows,
converters applied, on PostgreSQL compiled once; elsewhere the queryset itself."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from kaisai.core.compiled_rows import CompiledRows
from kaisai.core.lookups import one_of
from kaisai.groups.models import ActionLog
from kaisai.registrations.models import Frame
from tests.factories import EventFactory, GroupFactory


def _frames(ids):
    return (
        Frame.objects.filter(one_of("event_id", ids), capacity__gte=0)
        .order_by("event_id", "id")
        .values_list("event_id", "capacity", "opens_at", "closes_at")
    )


def test_the_rows_are_the_querysets(db):
    events = [EventFactory() for _ in range(3)]
    now = timezone.now()
    for n, event in enumerate(events):
        Frame.objects.create(event=event, name="General", capacity=10 + n, opens_at=now)
        Frame.objects.create(event=event, name="Student", capacity=n, closes_at=now + timedelta(1))
    frames = CompiledRows(_frames, "ids")
    for ids in ([events[0].pk], [e.pk for e in events], [events[2].pk, 10**9], [10**9]):
        assert frames.rows(ids=ids) == list(_frames(ids))
    assert frames.rows(ids=iter([events[1].pk])) == list(_frames([events[1].pk]))


def test_converters_are_applied(db):
    group = GroupFactory()
    ActionLog.objects.create(group=group, action="x", details={"a": [1, "b"], "c": None})
    logs = CompiledRows(
        lambda ids: ActionLog.objects.filter(one_of("group_id", ids)).values_list("details"),
        "ids",
    )
    assert logs.rows(ids=[group.pk]) == [({"a": [1, "b"], "c": None},)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="compiled on PostgreSQL only")
def test_compiled_once_on_postgresql(db):
    built = []

    def build(ids):
        built.append(ids)
        return _frames(ids)

    frames = CompiledRows(build, "ids")
    frames.rows(ids=[1])
    frames.rows(ids=[2, 3])
    assert len(built) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="compiled on PostgreSQL only")
def test_a_list_that_is_not_one_parameter_is_refused(db):
    frames = CompiledRows(
        lambda ids: Frame.objects.filter(event_id__in=ids).values_list("id"), "ids"
    )
    with pytest.raises(ValueError, match="one parameter"):
        frames.rows(ids=[1])
