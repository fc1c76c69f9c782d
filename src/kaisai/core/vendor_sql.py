"""A migration step of hand-written SQL for each database vendor (triggers, trigram and
full-text indexes, generated columns): `vendor_sql(postgresql=[...], sqlite=[...])` runs the
statements of the connection's vendor, and the `reverse_*` ones when the migration is
unapplied; a vendor without statements is left as it is."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import migrations

Statements = Sequence[str]


def _runner(statements: dict[str, Statements]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        for statement in statements.get(schema_editor.connection.vendor, ()):
            schema_editor.execute(statement, params=None)

    return run


def vendor_sql(
    *,
    postgresql: Statements = (),
    sqlite: Statements = (),
    reverse_postgresql: Statements = (),
    reverse_sqlite: Statements = (),
) -> migrations.RunPython:
    forward = {"postgresql": postgresql, "sqlite": sqlite}
    reverse = {"postgresql": reverse_postgresql, "sqlite": reverse_sqlite}
    return migrations.RunPython(_runner(forward), _runner(reverse), elidable=False)
