"""Timestamps read by psycopg's C loader (core/db_timestamps.py): the same Python values as
Django's own loader, whatever the settings' time zones."""

from __future__ import annotations

import datetime
import zoneinfo
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections

from kaisai.core import db_timestamps
from tests.factories import EventFactory

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="psycopg's loaders: PostgreSQL only"
)

# Instants around DST changes (New York, London, Lord Howe's half hour), an ambiguous hour on
# both sides, odd historical offsets, microseconds and the first and last years Python holds.
TIMESTAMPTZ_LITERALS = [
    "2026-03-08 01:59:59.999999-05",
    "2026-03-08 03:00:00-04",
    "2026-11-01 01:30:00-04",
    "2026-11-01 01:30:00-05",
    "2026-03-29 00:59:59+00",
    "2026-03-29 02:00:00+01",
    "2026-10-25 01:30:00+01",
    "2026-10-25 01:30:00+00",
    "2026-04-05 01:45:00+11",
    "2026-10-04 02:15:00+10:30",
    "2026-06-30 23:59:59.5+09",
    "1887-12-31 23:59:59+09:18:59",
    "1970-01-01 00:00:00+00",
    "2000-02-29 12:00:00.000001+05:45",
    "0001-01-01 00:00:00+00",
    "0001-01-01 12:00:00+00",
    "9999-12-31 23:59:59.999999+00",
    "9999-12-31 12:00:00-11",
    "infinity",
    "-infinity",
    "0044-03-15 12:00:00+00 BC",
]
OTHER_TYPES_SQL = (
    "SELECT '2026-03-08'::date, '0001-01-01'::date, '02:30:00.5'::time, '23:59:59.999999'::time, "
    "'02:30:00+09'::timetz, '2026-03-08 02:30:00'::timestamp, "
    "'2026-11-01 01:30:00-05'::timestamptz, NULL::timestamptz"
)


def _described(value: Any) -> Any:
    """A value with what == alone does not compare: its tzinfo (the very object) and fold."""
    if isinstance(value, datetime.datetime | datetime.time):
        return (value, repr(value), id(value.tzinfo) if value.tzinfo else None, value.fold)
    return (value, repr(value))


def _load(literal: str, *, django_loader: bool) -> Any:
    with connection.cursor() as cursor:
        if django_loader:  # as Django's create_cursor does when the time zones differ
            from django.db.backends.postgresql.psycopg_any import register_tzloader

            register_tzloader(connection.timezone, cursor.cursor)
        try:
            cursor.execute("SELECT %s::timestamptz", [literal])
            return _described(cursor.fetchone()[0])
        except Exception as error:  # noqa: BLE001 - the same error either way
            return type(error).__name__


def _both(literal: str) -> tuple[Any, Any]:
    return _load(literal, django_loader=False), _load(literal, django_loader=True)


@contextmanager
def _database_time_zone(name: str | None):
    """DATABASES["default"]["TIME_ZONE"], as Django's own tests change it (on the wrapper
    itself: `django.db.connection` is a proxy with a `__dict__` of its own)."""
    connection = connections[DEFAULT_DB_ALIAS]
    original = connection.settings_dict["TIME_ZONE"]
    connection.settings_dict["TIME_ZONE"] = name
    for attribute in ("timezone", "timezone_name"):
        connection.__dict__.pop(attribute, None)
    connection.ensure_timezone()
    try:
        yield
    finally:
        connection.settings_dict["TIME_ZONE"] = original
        for attribute in ("timezone", "timezone_name"):
            connection.__dict__.pop(attribute, None)
        connection.ensure_timezone()


@postgresql_only
def test_the_connection_reads_timestamps_with_the_c_loader(db):
    if not db_timestamps.C_LOADER_AVAILABLE:
        pytest.skip("psycopg without its C implementation")
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        value = cursor.fetchone()[0]
        loader = cursor.cursor.adapters.get_loader(db_timestamps.TIMESTAMPTZ_OID, 0)
        made = loader(db_timestamps.TIMESTAMPTZ_OID, cursor.cursor)
    assert loader is db_timestamps.UtcTimestamptzLoader
    assert type(made).__module__.startswith(("psycopg_binary", "psycopg_c"))
    assert value.tzinfo is datetime.UTC


@postgresql_only
@pytest.mark.parametrize("literal", TIMESTAMPTZ_LITERALS)
@pytest.mark.parametrize("time_zone", ["Asia/Tokyo", "America/New_York", "UTC"])
def test_timestamptz_values_are_django_s(db, settings, literal, time_zone):
    settings.TIME_ZONE = time_zone  # with USE_TZ the connection stays in UTC
    ours, django_s = _both(literal)
    assert ours == django_s
    if isinstance(ours, tuple):
        assert ours[0].tzinfo is datetime.UTC


@postgresql_only
@pytest.mark.parametrize("literal", TIMESTAMPTZ_LITERALS)
def test_without_use_tz_the_values_stay_naive_local_times(db, settings, literal):
    settings.USE_TZ = False
    settings.TIME_ZONE = "America/New_York"
    ours, django_s = _both(literal)
    assert ours == django_s
    if isinstance(ours, tuple):
        assert ours[0].tzinfo is None


@postgresql_only
@pytest.mark.parametrize("literal", TIMESTAMPTZ_LITERALS)
@pytest.mark.parametrize("database_zone", ["America/New_York", "UTC"])
def test_a_database_time_zone_keeps_django_s_loader(db, literal, database_zone):
    with _database_time_zone(database_zone):
        ours, django_s = _both(literal)
    assert ours == django_s
    if isinstance(ours, tuple):
        assert ours[0].tzinfo == zoneinfo.ZoneInfo(database_zone)


@postgresql_only
def test_dates_times_and_naive_timestamps_are_unchanged(db, settings):
    for zone in ("Asia/Tokyo", "Europe/London"):
        settings.TIME_ZONE = zone
        with connection.cursor() as cursor:
            cursor.execute(OTHER_TYPES_SQL)
            ours = [_described(value) for value in cursor.fetchone()]
        with connection.cursor() as cursor:
            from django.db.backends.postgresql.psycopg_any import register_tzloader

            register_tzloader(connection.timezone, cursor.cursor)
            cursor.execute(OTHER_TYPES_SQL)
            django_s = [_described(value) for value in cursor.fetchone()]
        assert ours == django_s


def test_models_read_back_the_instants_they_stored(db, settings):
    settings.TIME_ZONE = "America/New_York"
    instants = [
        datetime.datetime(2026, 3, 8, 6, 59, 59, 999999, tzinfo=datetime.UTC),
        datetime.datetime(2026, 11, 1, 5, 30, tzinfo=datetime.UTC),
        datetime.datetime(2026, 11, 1, 6, 30, tzinfo=datetime.UTC),
    ]
    for starts_at in instants:
        event = EventFactory(starts_at=starts_at, ends_at=starts_at + datetime.timedelta(hours=2))
        event.refresh_from_db()
        assert event.starts_at == starts_at
        assert event.starts_at.tzinfo is datetime.UTC


def test_only_a_utc_postgresql_connection_gets_the_c_loader():
    registered = []
    adapters = SimpleNamespace(register_loader=lambda *args: registered.append(args))
    for vendor, zone in [
        ("sqlite", datetime.UTC),
        ("postgresql", None),
        ("postgresql", zoneinfo.ZoneInfo("UTC")),
        ("postgresql", zoneinfo.ZoneInfo("Asia/Tokyo")),
    ]:
        fake = SimpleNamespace(
            vendor=vendor, timezone=zone, connection=SimpleNamespace(adapters=adapters)
        )
        db_timestamps.use_c_loader(sender=None, connection=fake)
    assert registered == []
    fake = SimpleNamespace(
        vendor="postgresql",
        timezone=datetime.UTC,
        connection=SimpleNamespace(adapters=adapters),
    )
    db_timestamps.use_c_loader(sender=None, connection=fake)
    assert registered == (
        [(db_timestamps.TIMESTAMPTZ_OID, db_timestamps.UtcTimestamptzLoader)]
        if db_timestamps.C_LOADER_AVAILABLE
        else []
    )
