"""The search version (docs/search.md, "The search cache"): one row that every write to the
tables a cached search reads changes, in the writer's own transaction, so that a cached list of
matches keyed by it is never used after such a write commits (`kaisai.events.search_cache`).

Written by database triggers, whoever writes (services, the admin, `queryset.update()`, raw
SQL, a bulk load), on `events_event` and `groups_group` (the search's `group` filter reads the
group's slug):

- PostgreSQL: a statement-level trigger (AFTER INSERT, UPDATE, DELETE or TRUNCATE) sets the
  row to the next value of a sequence. A sequence never gives a value twice, even when the
  writing transaction rolls back, so a version seen inside a rolled-back transaction is never
  seen again. The row's lock is held until the writer commits: writers of events and groups
  wait for each other's commit there (they are organizers' edits, never the registration rush).
- SQLite: row-level triggers (AFTER INSERT, UPDATE, DELETE) set it to `random()` (64 bits),
  for the same reason.

Caution (as for event_fts, migration 0004): when a later migration makes Django rebuild
`events_event` or `groups_group` on SQLite (new table, copy, drop, rename), the triggers are
dropped with the old table; such a migration must run `SQLITE_INSTALL` again (`vendor_sql(sqlite=SQLITE_INSTALL)`)
(tests/events/test_search_cache.py checks that the triggers exist after all migrations).

Not in the model state: Django never sees the table.
"""

from django.db import migrations

from kaisai.core.vendor_sql import vendor_sql

TABLES = ("events_event", "groups_group")
ACTIONS = ("insert", "update", "delete")

POSTGRES_INSTALL = [
    "CREATE SEQUENCE IF NOT EXISTS events_search_version_seq",
    """CREATE TABLE IF NOT EXISTS events_search_version (
        id smallint PRIMARY KEY CHECK (id = 1), n bigint NOT NULL)""",
    """INSERT INTO events_search_version (id, n)
        VALUES (1, nextval('events_search_version_seq')) ON CONFLICT (id) DO NOTHING""",
    """CREATE OR REPLACE FUNCTION events_search_version_bump() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE events_search_version SET n = nextval('events_search_version_seq')
                WHERE id = 1;
            RETURN NULL;
        END $$""",
] + [
    f"""CREATE OR REPLACE TRIGGER {table}_search_version
        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION events_search_version_bump()"""
    for table in TABLES
]
POSTGRES_REMOVE = [
    f"DROP TRIGGER IF EXISTS {table}_search_version ON {table}" for table in TABLES
] + [
    "DROP FUNCTION IF EXISTS events_search_version_bump()",
    "DROP TABLE IF EXISTS events_search_version",
    "DROP SEQUENCE IF EXISTS events_search_version_seq",
]

SQLITE_TRIGGERS = [f"{table}_search_version_{action}" for table in TABLES for action in ACTIONS]
SQLITE_INSTALL = [
    """CREATE TABLE IF NOT EXISTS events_search_version (
        id integer PRIMARY KEY CHECK (id = 1), n integer NOT NULL)""",
    "INSERT OR IGNORE INTO events_search_version (id, n) VALUES (1, random())",
] + [
    f"""CREATE TRIGGER IF NOT EXISTS {table}_search_version_{action}
        AFTER {action.upper()} ON {table} BEGIN
        UPDATE events_search_version SET n = random() WHERE id = 1;
    END"""
    for table in TABLES
    for action in ACTIONS
]
SQLITE_REMOVE = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS] + [
    "DROP TABLE IF EXISTS events_search_version",
]


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0008_event_duration"),
        ("groups", "0003_member_listed"),
    ]

    operations = [
        vendor_sql(
            postgresql=POSTGRES_INSTALL,
            sqlite=SQLITE_INSTALL,
            reverse_postgresql=POSTGRES_REMOVE,
            reverse_sqlite=SQLITE_REMOVE,
        ),
    ]
