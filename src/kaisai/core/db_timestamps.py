"""PostgreSQL timestamps (`timestamptz`) read by psycopg's C loader, not by Django's Python one.

Django registers its own loader for `timestamptz` on every connection
(`django.db.backends.postgresql.psycopg_any.BaseTzLoader`): a subclass of psycopg's *Python*
`TimestamptzLoader` that replaces the value's tzinfo with the connection's time zone. psycopg's
C loader (psycopg-binary, a dependency) is then never used: a search page or an API v2 page of
100 events reads 60–400 timestamps through the Python parser (≈ 3.5 µs a value against ≈ 0.2 µs;
13% of an API v2 keyword request's CPU profile, issue 17).

With `USE_TZ = True` and no `DATABASES[...]["TIME_ZONE"]` (this project's settings), Django sets
the session's `TimeZone` to `UTC` when it connects and wants every datetime aware in
`datetime.timezone.utc`. psycopg's C loader gives exactly that for a `UTC` session: it reads the
offset PostgreSQL writes (`+00`) and returns the instant in the connection's zone, which psycopg
maps from `UTC` to the very same `datetime.timezone.utc` object (`psycopg._tz`). So the values
are the same objects Django's loader makes (tests/core/test_db_timestamps.py compares both
across DST changes, years 1 and 9999 and other `TIME_ZONE` settings).

In every other case — `USE_TZ = False` (naive datetimes), a database `TIME_ZONE` (a `ZoneInfo`),
Django's loader re-registered on a cursor because the time zone changed in a test — nothing
changes: the loader is registered only when the connection's time zone is
`datetime.timezone.utc`, and Django's `create_cursor` compares that zone with the registered
class's `timezone` attribute, putting its own loader on the cursor when they differ. `date`,
`time` and `timestamp` columns already use psycopg's C loaders (Django leaves them alone).
"""

from __future__ import annotations

import datetime
from typing import Any

import psycopg
from django.db.backends.signals import connection_created
from psycopg.pq import Format
from psycopg.types.datetime import TimestamptzLoader as PythonTimestamptzLoader

TIMESTAMPTZ_OID = psycopg.adapters.types["timestamptz"].oid
# psycopg's global adapters hold the C class when its C implementation is installed
# (psycopg-binary or psycopg-c), else the Python class itself.
_LOADER: Any = psycopg.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
C_LOADER_AVAILABLE = _LOADER is not PythonTimestamptzLoader


class UtcTimestamptzLoader:
    """Registered in place of Django's loader: makes psycopg's C `TimestamptzLoader` (which
    cannot be subclassed), and carries the `timezone` attribute Django's `create_cursor` reads
    from the connection's `timestamptz` loader."""

    format = Format.TEXT
    timezone = datetime.UTC

    def __new__(cls, oid: int, context: Any = None) -> Any:
        return _LOADER(oid, context)


def use_c_loader(sender: Any, connection: Any, **kwargs: Any) -> None:
    """On a new PostgreSQL connection whose time zone is UTC (`USE_TZ`, no database
    `TIME_ZONE`), timestamps are read by psycopg's C loader."""
    if (
        connection.vendor != "postgresql"
        or not C_LOADER_AVAILABLE
        or connection.timezone is not datetime.UTC
    ):
        return
    connection.connection.adapters.register_loader(TIMESTAMPTZ_OID, UtcTimestamptzLoader)


def connect() -> None:
    connection_created.connect(use_c_loader, dispatch_uid="kaisai.core.db_timestamps")
