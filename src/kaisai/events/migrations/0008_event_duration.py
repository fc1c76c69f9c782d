"""An expression index on each event's duration, on PostgreSQL (docs/search.md, "Upcoming
events").

The upcoming lists (`ends_at >= now`, ordered by `starts_at`: the home page, API v1's default,
a group's page) walked `event_starts_id` from the first event ever, testing `ends_at` on every
past event (≈ 76,000 of the benchmark's 100,000) before reaching the first upcoming one.
`events.selectors.ending_from_q` adds the exact bound `starts_at >= now - max(ends_at -
starts_at)`, and this index answers the max with one entry (`Index Scan Backward`).

Not in the model state (Django never sees it; the expression is the one the selector writes),
so nothing is created on SQLite, which keeps the plain condition.
"""

from django.db import migrations

INSTALL = "CREATE INDEX IF NOT EXISTS event_duration ON events_event ((ends_at - starts_at))"
REMOVE = "DROP INDEX IF EXISTS event_duration"


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INSTALL, params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REMOVE, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0007_search_text"),
    ]

    operations = [
        migrations.RunPython(install, remove, elidable=False),
    ]
