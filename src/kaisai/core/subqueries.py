"""Counts of related rows folded into the parent's own query (one query for a page instead of
one per part), compiled once per process: Django compiles a Subquery annotation anew on every
query, which cost the event page more time than the queries it saved (about 10 ms for six)."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.db.models import F, IntegerField, QuerySet
from django.db.models.expressions import RawSQL


class CountOf:
    """An annotation for a query of the parent model (by its own table, unaliased): how many
    of `rows()` point at the row through the foreign key `parent`; 0 when none.

        MATERIALS = CountOf(lambda: Material.objects.all(), parent="event")
        Event.objects.annotate(n_materials=MATERIALS())
    """

    def __init__(self, rows: Callable[[], QuerySet], *, parent: str) -> None:
        self.rows = rows
        self.parent = parent
        self._compiled: tuple[str, tuple] | None = None

    def _compile(self) -> tuple[str, tuple]:
        rows = self.rows().order_by()
        field = rows.model._meta.get_field(self.parent)
        outer = field.related_model._meta
        inner_sql, params = rows.values(counted_parent=F(self.parent)).query.sql_with_params()
        quote = connection.ops.quote_name
        # Built from Django's own compiled SQL (values as parameters) and model metadata only:
        # nothing here comes from a request.
        sql = (
            f"SELECT COUNT(*) FROM ({inner_sql}) {quote('counted')} "  # noqa: S608
            f"WHERE {quote('counted')}.{quote('counted_parent')} = "
            f"{quote(outer.db_table)}.{quote(outer.pk.column)}"
        )
        return sql, tuple(params)

    def __call__(self) -> RawSQL:
        if self._compiled is None:
            self._compiled = self._compile()
        sql, params = self._compiled
        return RawSQL(sql, params, output_field=IntegerField())  # noqa: S611 (see _compile)
