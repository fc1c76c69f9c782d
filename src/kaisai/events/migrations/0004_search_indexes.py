"""Keyword search indexes (docs/search.md).

SQLite: an FTS5 table `event_fts` with the trigram tokenizer over title, catch, description and
address, an external-content index of `events_event` (rowid = event id) kept in sync by three
triggers. Caution: when a later migration makes Django rebuild `events_event` on SQLite (most
ALTERs do: new table, copy, drop, rename), the triggers are dropped with the old table; such a
migration must run `SQLITE_INSTALL` again (tests/events/test_search.py checks that the
triggers exist after all migrations).

PostgreSQL: the pg_trgm extension and one GIN trigram index per searched column, which answer
`col ILIKE '%keyword%'`.

Nothing is created on other databases. Written by hand: the model state does not change.
"""

from django.db import migrations

from kaisai.core.vendor_sql import vendor_sql

FTS_COLUMNS = "title, catch, description, address"
NEW = "new.title, new.catch, new.description, new.address"
OLD = "old.title, old.catch, old.description, old.address"

SQLITE_INSTALL = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS event_fts USING fts5(
        {FTS_COLUMNS}, content='events_event', content_rowid='id', tokenize='trigram')""",
    f"""CREATE TRIGGER IF NOT EXISTS event_fts_insert AFTER INSERT ON events_event BEGIN
        INSERT INTO event_fts(rowid, {FTS_COLUMNS}) VALUES (new.id, {NEW});
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS event_fts_delete AFTER DELETE ON events_event BEGIN
        INSERT INTO event_fts(event_fts, rowid, {FTS_COLUMNS}) VALUES ('delete', old.id, {OLD});
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS event_fts_update
        AFTER UPDATE OF {FTS_COLUMNS} ON events_event BEGIN
        INSERT INTO event_fts(event_fts, rowid, {FTS_COLUMNS}) VALUES ('delete', old.id, {OLD});
        INSERT INTO event_fts(rowid, {FTS_COLUMNS}) VALUES (new.id, {NEW});
    END""",
    "INSERT INTO event_fts(event_fts) VALUES ('rebuild')",
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS event_fts_insert",
    "DROP TRIGGER IF EXISTS event_fts_delete",
    "DROP TRIGGER IF EXISTS event_fts_update",
    "DROP TABLE IF EXISTS event_fts",
]

PG_COLUMNS = ("title", "catch", "description", "address")
POSTGRES_INSTALL = ["CREATE EXTENSION IF NOT EXISTS pg_trgm"] + [
    f"CREATE INDEX IF NOT EXISTS event_{column}_trgm ON events_event "
    f"USING gin ({column} gin_trgm_ops)"
    for column in PG_COLUMNS
]
# The extension stays: other objects may use it.
POSTGRES_REMOVE = [f"DROP INDEX IF EXISTS event_{column}_trgm" for column in PG_COLUMNS]


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0003_event_attendance_code"),
    ]

    operations = [
        vendor_sql(
            postgresql=POSTGRES_INSTALL,
            sqlite=SQLITE_INSTALL,
            reverse_postgresql=POSTGRES_REMOVE,
            reverse_sqlite=SQLITE_REMOVE,
        ),
    ]
