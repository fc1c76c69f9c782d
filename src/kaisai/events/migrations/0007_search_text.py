"""The searched text lower-cased once, on PostgreSQL (docs/search.md, "PostgreSQL").

A keyword was `title ILIKE '%kw%' OR catch ILIKE … OR description ILIKE … OR address ILIKE …`,
answered by four pg_trgm GIN indexes; every candidate row of their bitmaps was then rechecked,
and ILIKE lower-cases the whole text of each column on every recheck. Here the four columns are
lower-cased once, when a row is written, into a generated column:

    search_text = lower(title) || U+0001 || lower(catch) || U+0001 || lower(description)
                  || U+0001 || lower(address)

with one pg_trgm GIN index, and a keyword becomes `search_text LIKE lower('%kw%')`: the same
matches (ILIKE is `lower(text) LIKE lower(pattern)` in a multi-byte database, and a keyword
without U+0001 cannot match across two columns), a cheap recheck, one index instead of four.
PostgreSQL computes the column on every INSERT and UPDATE, ORM or not (bulk_create,
QuerySet.update, raw SQL), so it cannot fall out of step. Adding it rewrites events_event once.

Not in the model state (Django never reads the column; `kaisai.events.search` names it), so
nothing is created on SQLite, which keeps its FTS5 table (0004).
"""

from django.db import migrations

SEPARATOR = "chr(1)"  # never in a keyword searched through this column (events.search)
SEARCH_TEXT = f" || {SEPARATOR} || ".join(
    f"lower({column})" for column in ("title", "catch", "description", "address")
)
OLD_INDEXES = [f"event_{column}_trgm" for column in ("title", "catch", "description", "address")]

POSTGRES_INSTALL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"ALTER TABLE events_event ADD COLUMN search_text text "
    f"GENERATED ALWAYS AS ({SEARCH_TEXT}) STORED",
    "CREATE INDEX event_search_text_trgm ON events_event USING gin (search_text gin_trgm_ops)",
    *(f"DROP INDEX IF EXISTS {index}" for index in OLD_INDEXES),
]
POSTGRES_REMOVE = [
    *(
        f"CREATE INDEX IF NOT EXISTS {index} ON events_event USING gin ({column} gin_trgm_ops)"
        for index, column in zip(
            OLD_INDEXES, ("title", "catch", "description", "address"), strict=True
        )
    ),
    "DROP INDEX IF EXISTS event_search_text_trgm",
    "ALTER TABLE events_event DROP COLUMN IF EXISTS search_text",
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
