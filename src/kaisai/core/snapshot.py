"""A read-only transaction whose statements all see one snapshot of the database, for a page
that is cached under a fingerprint read in the same snapshot (site/event_page_cache.py): what
is rendered is then exactly the state the fingerprint describes, even while registrations
commit beside it.

- PostgreSQL: REPEATABLE READ, READ ONLY (psycopg opens the transaction with them: no extra
  statement).
- SQLite: a DEFERRED transaction (the settings' IMMEDIATE one would take the write lock); in
  WAL mode its reads see the database as of its first read.

Inside an atomic block already (the tests' transaction), the reads simply join it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction


@contextmanager
def read_snapshot(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    connection = connections[using]
    if connection.in_atomic_block:
        yield
        return
    if connection.vendor == "postgresql":
        with _postgresql_snapshot(connection):
            yield
    elif connection.vendor == "sqlite":
        with _sqlite_snapshot(connection):
            yield
    else:  # pragma: no cover - kaisai runs on PostgreSQL or SQLite
        with transaction.atomic(using=using):
            yield


@contextmanager
def _sqlite_snapshot(connection: Any) -> Iterator[None]:
    connection.ensure_connection()  # connecting sets transaction_mode from the settings
    mode = connection.transaction_mode
    connection.transaction_mode = "DEFERRED"
    try:
        with transaction.atomic(using=connection.alias):
            connection.transaction_mode = mode  # read when BEGIN is sent, at the start
            yield
    finally:
        connection.transaction_mode = mode


@contextmanager
def _postgresql_snapshot(connection: Any) -> Iterator[None]:
    from psycopg import IsolationLevel

    connection.ensure_connection()
    raw = connection.connection
    level, read_only = raw.isolation_level, raw.read_only
    raw.isolation_level, raw.read_only = IsolationLevel.REPEATABLE_READ, True
    try:
        with transaction.atomic(using=connection.alias):
            yield
    finally:
        # Outside the transaction again: psycopg allows the change (a broken connection is
        # discarded by Django anyway).
        if not raw.closed:
            raw.isolation_level, raw.read_only = level, read_only
