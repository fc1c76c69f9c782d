"""On PostgreSQL the fingerprint's PREPAREd statement is run by libpq itself outside a
transaction (site/event_page_fingerprint._Statement._executed): the same row as psycopg's
cursor gives, counted as a query, and a lost connection still raises Django's
OperationalError (the 503 of core/unavailable.py). Outside a transaction: these tests commit
(pytest-django's `db` wraps a test in one, where the cursor runs it)."""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from kaisai.site import event_page_fingerprint
from kaisai.site.event_page_fingerprint import STATEMENT, fingerprint

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("libpq runs the statement on PostgreSQL only")


def _by_cursor(pk: int):
    with connection.cursor() as cursor:
        name = STATEMENT._prepared(cursor, *STATEMENT._compiled["postgresql"][::2])
        cursor.execute(f"EXECUTE {name}({int(pk)})")
        return cursor.fetchone()


def test_libpq_gives_the_row_the_cursor_gives(event, make_frame, monkeypatch):
    make_frame(capacity=3)
    fingerprint(event.pk)  # compiled and PREPAREd on this connection
    ran = []
    executed = STATEMENT._executed
    monkeypatch.setattr(
        STATEMENT, "_executed", lambda db, pk: ran.append(row := executed(db, pk)) or row
    )
    with CaptureQueriesContext(connection) as queries:
        read = fingerprint(event.pk)
    assert ran and ran[0] is not None  # libpq's row, not the cursor's
    assert len(queries) == 1 and queries[0]["sql"].startswith("EXECUTE kaisai_event_page_")
    assert read is not None and read.parts == tuple(_by_cursor(event.pk))
    assert fingerprint(event.pk + 999) is None  # no such event: its row of NULLs


def test_in_a_transaction_the_cursor_runs_it(event, make_frame):
    from django.db import transaction

    make_frame()
    fingerprint(event.pk)
    with transaction.atomic():
        assert STATEMENT._executed(connection, event.pk) is None
        assert fingerprint(event.pk) is not None


def test_a_lost_connection_is_djangos_operational_error(event, make_frame, django_db_blocker):
    make_frame()
    fingerprint(event.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    import psycopg

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    connection.health_check_done = True  # a request's first query without the check
    with pytest.raises(OperationalError):
        event_page_fingerprint.fingerprint(event.pk)
    connection.close()
