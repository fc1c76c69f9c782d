"""The searched text lower-cased once, in a side table, on PostgreSQL (docs/search.md).

A keyword was `title ILIKE '%kw%' OR catch ILIKE … OR description ILIKE … OR address ILIKE …`,
answered by four pg_trgm GIN indexes; every candidate row of their bitmaps was then rechecked,
and ILIKE lower-cases the whole text of each column on every recheck. Here the four columns are
lower-cased once, when a row is written, into a narrow side table

    events_eventsearch(event_id PRIMARY KEY, search_text) with
    search_text = lower(title) || U+0001 || lower(catch) || U+0001 || lower(description)
                  || U+0001 || lower(address)

with one pg_trgm GIN index, and a keyword becomes
`id IN (SELECT event_id FROM events_eventsearch WHERE search_text LIKE lower('%kw%'))`: the
same matches (ILIKE is `lower(text) LIKE lower(pattern)` in a multi-byte database, and a
keyword without U+0001 cannot match across two columns), a cheap recheck, one index instead
of four. The text lives outside events_event, so the rows that the other queries walk stay as
narrow as before (a generated column on events_event doubled its heap and slowed every walk of
it, API v1's upcoming list first).

Triggers keep the side table exact on every write path, ORM or not (bulk_create,
QuerySet.update, raw SQL, TRUNCATE): after INSERT, after an UPDATE that changes the id or a
searched column, after DELETE, after TRUNCATE. No foreign key, so Django's flush (TRUNCATE of
its own tables) is not refused.

Not in the model state (Django never reads the table; `kaisai.events.search` names it), so
nothing is created on SQLite, which keeps its FTS5 table (0004).
"""

from django.db import migrations

COLUMNS = ("title", "catch", "description", "address")
SEPARATOR = "chr(1)"  # never in a keyword searched through this table (events.search)


def _search_text(row: str) -> str:
    return f" || {SEPARATOR} || ".join(f"lower({row}.{column})" for column in COLUMNS)


OLD_INDEXES = [f"event_{column}_trgm" for column in COLUMNS]
CHANGED = " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in COLUMNS)

POSTGRES_INSTALL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE TABLE events_eventsearch (event_id bigint PRIMARY KEY, search_text text NOT NULL)",
    f"""CREATE FUNCTION events_eventsearch_write() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND OLD.id IS DISTINCT FROM NEW.id THEN
            DELETE FROM events_eventsearch WHERE event_id = OLD.id;
        END IF;
        INSERT INTO events_eventsearch (event_id, search_text)
        VALUES (NEW.id, {_search_text("NEW")})
        ON CONFLICT (event_id) DO UPDATE SET search_text = EXCLUDED.search_text;
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION events_eventsearch_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM events_eventsearch WHERE event_id = OLD.id;
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION events_eventsearch_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE events_eventsearch;
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER events_eventsearch_insert AFTER INSERT ON events_event "
    "FOR EACH ROW EXECUTE FUNCTION events_eventsearch_write()",
    f"CREATE TRIGGER events_eventsearch_update AFTER UPDATE ON events_event "
    f"FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id OR {CHANGED}) "
    f"EXECUTE FUNCTION events_eventsearch_write()",
    "CREATE TRIGGER events_eventsearch_delete AFTER DELETE ON events_event "
    "FOR EACH ROW EXECUTE FUNCTION events_eventsearch_delete()",
    "CREATE TRIGGER events_eventsearch_truncate AFTER TRUNCATE ON events_event "
    "FOR EACH STATEMENT EXECUTE FUNCTION events_eventsearch_truncate()",
    f"INSERT INTO events_eventsearch (event_id, search_text) "
    f"SELECT e.id, {_search_text('e')} FROM events_event e",
    "CREATE INDEX events_eventsearch_trgm ON events_eventsearch "
    "USING gin (search_text gin_trgm_ops)",
    "ANALYZE events_eventsearch",
    *(f"DROP INDEX IF EXISTS {index}" for index in OLD_INDEXES),
]
POSTGRES_REMOVE = [
    *(
        f"CREATE INDEX IF NOT EXISTS {index} ON events_event USING gin ({column} gin_trgm_ops)"
        for index, column in zip(OLD_INDEXES, COLUMNS, strict=True)
    ),
    *(
        f"DROP TRIGGER IF EXISTS events_eventsearch_{name} ON events_event"
        for name in ("insert", "update", "delete", "truncate")
    ),
    *(
        f"DROP FUNCTION IF EXISTS events_eventsearch_{name}()"
        for name in ("write", "delete", "truncate")
    ),
    "DROP TABLE IF EXISTS events_eventsearch",
]


def _run(schema_editor, statements):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in statements:
        schema_editor.execute(statement, params=None)


def install(apps, schema_editor):
    _run(schema_editor, POSTGRES_INSTALL)


def remove(apps, schema_editor):
    _run(schema_editor, POSTGRES_REMOVE)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0006_prefecture_index"),
    ]

    operations = [
        migrations.RunPython(install, remove, elidable=False),
    ]
