"""Counts (and small lists) of related rows folded into the parent's own query (one query for
a page instead of one per part), compiled once per process: Django compiles a Subquery
annotation anew on every query, which cost the event page more time than the queries it saved
(about 10 ms for six)."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.db import connection, models
from django.db.models import F, IntegerField, Model, QuerySet
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


# Fields whose values a JSON array keeps exactly as the model has them (text and integers).
_JSON_EXACT = (models.CharField, models.TextField, models.IntegerField, models.FileField)


class RowsOf:
    """An annotation for a query of the parent model: the related rows of `rows()` (through
    the foreign key `parent`), in their model's order, as one JSON text — a part shown with
    its parent (the event page's sponsors) without a query of its own. Only fields whose
    values JSON keeps exactly (text, integers, file names). `load` gives the instances.

        SPONSORS = RowsOf(lambda: Sponsor.objects.all(), parent="event")
        event = Event.objects.annotate(sponsor_rows=SPONSORS()).get(pk=5)
        SPONSORS.load(event.sponsor_rows)  -> [Sponsor, …]
    """

    def __init__(self, rows: Callable[[], QuerySet], *, parent: str) -> None:
        self.rows = rows
        self.parent = parent
        self._compiled: dict[str, tuple[str, tuple]] = {}
        self._names: list[str] | None = None

    def names(self) -> list[str]:
        """The columns of each row, in the JSON arrays' order: every concrete field."""
        if self._names is None:
            model = self.rows().model
            for field in model._meta.concrete_fields:
                target = field.target_field if field.is_relation else field
                if not isinstance(target, _JSON_EXACT):
                    raise TypeError(f"{model.__name__}.{field.name}: not kept exactly by JSON")
            self._names = [field.attname for field in model._meta.concrete_fields]
        return self._names

    def _order(self, rows: QuerySet) -> list[str]:
        """The rows' order (`rows()`'s, else the model's) as the columns' aliases."""
        meta = rows.model._meta
        names = self.names()
        order = []
        for name in rows.query.order_by or meta.ordering or ["pk"]:
            if not isinstance(name, str):
                raise TypeError(f"{rows.model.__name__}: order by field names only")
            descending, name = name.startswith("-"), name.lstrip("-")
            attname = meta.pk.attname if name == "pk" else meta.get_field(name).attname
            alias = connection.ops.quote_name(f"c{names.index(attname)}")
            order.append(f"{connection.ops.quote_name('part')}.{alias}" + " DESC" * descending)
        return order

    def _compile(self) -> tuple[str, tuple]:
        rows = self.rows()
        meta = rows.model._meta
        names = self.names()
        order = self._order(rows)
        values = rows.values(
            **{f"c{index}": F(name) for index, name in enumerate(names)},
            rows_parent=F(self.parent),
        )
        inner_sql, params = values.order_by().query.sql_with_params()
        outer = meta.get_field(self.parent).related_model._meta
        quote = connection.ops.quote_name
        columns = ", ".join(f"{quote('part')}.{quote(f'c{index}')}" for index in range(len(names)))
        if connection.vendor == "postgresql":
            aggregated = f"json_agg(json_build_array({columns}) ORDER BY {', '.join(order)})"
        else:  # SQLite: an aggregate keeps the order of an ordered subquery (not flattened)
            aggregated = f"json_group_array(json_array({columns}))"
            inner_sql = (
                f"SELECT * FROM ({inner_sql}) {quote('part')} "  # noqa: S608 (see below)
                f"ORDER BY {', '.join(order)}"
            )
        # Django's own compiled SQL (values as parameters) and model metadata only.
        sql = (
            f"(SELECT CAST({aggregated} AS TEXT) "  # noqa: S608
            f"FROM ({inner_sql}) {quote('part')} "
            f"WHERE {quote('part')}.{quote('rows_parent')} = "
            f"{quote(outer.db_table)}.{quote(outer.pk.column)})"
        )
        return sql, tuple(params)

    def __call__(self) -> RawSQL:
        compiled = self._compiled.get(connection.vendor)
        if compiled is None:
            compiled = self._compiled[connection.vendor] = self._compile()
        sql, params = compiled
        return RawSQL(sql, params, output_field=models.TextField())  # noqa: S611 (see _compile)

    def load(self, text: str | None) -> list[Model]:
        """The instances from the annotation's value (NULL or "[]": none)."""
        model, names = self.rows().model, self.names()
        return [model.from_db(connection.alias, names, row) for row in json.loads(text or "[]")]
