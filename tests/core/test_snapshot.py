"""core/snapshot.read_snapshot: every read inside sees one state of the database, even when
another connection commits meanwhile; the connection is as before afterwards."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from kaisai.core.snapshot import read_snapshot
from kaisai.groups.models import Group
from tests.factories import GroupFactory


def _commit_a_group_elsewhere() -> None:
    def work() -> None:
        try:
            GroupFactory()
        finally:
            connections.close_all()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()


@pytest.mark.django_db(transaction=True)
def test_reads_inside_see_one_state_while_another_connection_commits():
    if connection.vendor != "postgresql":
        pytest.skip("the test database of SQLite is in memory (shared cache): no WAL snapshot")
    GroupFactory()
    with read_snapshot():
        before = Group.objects.count()
        _commit_a_group_elsewhere()
        assert Group.objects.count() == before
    assert Group.objects.count() == before + 1


@pytest.mark.django_db(transaction=True)
def test_the_connection_writes_as_before_afterwards():
    with read_snapshot():
        Group.objects.count()
    GroupFactory()  # not read-only, and on SQLite IMMEDIATE transactions again
    assert Group.objects.count() == 1
    if connection.vendor == "sqlite":
        assert connection.transaction_mode == "IMMEDIATE"
    else:
        assert connection.connection.read_only is not True


@pytest.mark.django_db(transaction=True)
def test_nothing_can_be_written_inside_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no read-only transactions")
    from django.db import InternalError, transaction

    with pytest.raises(InternalError), read_snapshot(), transaction.atomic():
        GroupFactory()
