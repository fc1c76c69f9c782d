"""A query compiled once per process and database vendor, run with new values (like
core/subqueries.CountOf and the event page's fingerprint): Django compiles a queryset anew
each time, which for a query with annotations and joins costs more CPU (about 3 ms for the
event page's "my registration") than the database spends running it (0.15 ms).

    MINE = CompiledQuery(lambda event, user: Registration.objects.filter(event_id=event, …))
    MINE.first(event=5, user=7)  -> the first instance (its select_related objects and
                                    annotations set, as Django's own iteration does) or None

The values stand as sentinel integers while the query is compiled, and are put in their place
at each run; the SQL is Django's own (values as parameters).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, cast

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]

M = TypeVar("M", bound=Model)
_SENTINEL = -7_301_996_500  # far from any id; one per named value below it


class CompiledQuery(Generic[M]):
    def __init__(self, build: Callable[..., QuerySet[M]], *names: str) -> None:
        self.build = build
        self.names = names
        self._compiled: dict[str, tuple[Any, ...]] = {}
        # Per vendor and database alias: where the model's columns are, its related objects'
        # populators (Django's, which hold nothing of a row between rows).
        self._built: dict[tuple[str, str], tuple[Any, ...]] = {}

    def _compile(self, connection: Any) -> tuple[Any, ...]:
        sentinels = {name: _SENTINEL - index for index, name in enumerate(self.names)}
        queryset = self.build(**sentinels)[:1]
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        by_value = {value: name for name, value in sentinels.items()}
        slots = [by_value.get(param) if isinstance(param, int) else None for param in params]
        if sorted(name for name in slots if name) != sorted(self.names):
            raise ValueError("each named value must appear once in the query's parameters")
        # What iterating needs of the compiler (not the compiler: it holds its connection),
        # with the columns' converters worked out once (Django's results_iter does it for
        # every row set: more than half of this read's CPU). As core/rawrows: the backends'
        # converters read only the settings (the time zone), the same for every connection.
        columns = [column[0] for column in compiler.select[: compiler.col_count]]
        converters = tuple(
            (index, (convert, expression))
            for index, (convert, expression) in compiler.get_converters(columns).items()
        )
        shape = (
            compiler.select,
            compiler.klass_info,
            compiler.annotation_col_map,
            converters,
        )
        return (queryset.query, sql, tuple(params), tuple(slots), shape)

    def first(self, using: str = DEFAULT_DB_ALIAS, **values: int) -> M | None:
        connection = connections[using]
        compiled = self._compiled.get(connection.vendor)
        if compiled is None:
            compiled = self._compiled[connection.vendor] = self._compile(connection)
        _query, sql, params, slots, shape = compiled
        run = [
            param if name is None else values[name]
            for param, name in zip(params, slots, strict=True)
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, run)
            row = cursor.fetchone()
        if row is None:
            return None
        # As ModelIterable does, from the compiled query's columns (the vendor's converters:
        # SQLite's dates are text).
        select, klass_info, annotation_col_map, converters = shape
        row = list(row)
        for index, (convert, expression) in converters:
            value = row[index]
            for converter in convert:
                value = converter(value, expression, connection)
            row[index] = value
        built = self._built.get((connection.vendor, using))
        if built is None:
            fields = klass_info["select_fields"]
            start, end = fields[0], fields[-1] + 1
            names = [column[0].target.attname for column in select[start:end]]
            populators = get_related_populators(klass_info, select, using)  # stateless
            built = self._built[(connection.vendor, using)] = (start, end, names, populators)
        start, end, names, populators = built
        instance = klass_info["model"].from_db(using, names, row[start:end])
        for populator in populators:
            populator.populate(row, instance)
        for name, position in annotation_col_map.items():
            setattr(instance, name, row[position])
        return cast(M, instance)
