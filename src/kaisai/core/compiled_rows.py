"""The rows of a `values_list()` query compiled once per process, run with new lists of ids
(PostgreSQL; like core/compiled.CompiledQuery, which makes one model instance).

An API v2 page of 100 events reads its rows by id and three facts about them (frames, waiting
registrations, group owners): four small queries, each compiled anew by Django per request —
0.15–0.35 ms of CPU each, as much as PostgreSQL spends running it. Here the SQL is Django's own,
compiled once with a sentinel list in place of each named list; each run puts the lists in
their place (one array literal each, `= ANY('{1,2,3}')`) and applies the columns' converters as
Django's iteration does.

    FRAMES = CompiledRows(
        lambda ids: Frame.objects.filter(one_of("event_id", ids)).values_list("event_id", …),
        "ids",
    )
    FRAMES.rows(ids=[1, 2, 3])  -> [(1, …), …]  (tuples, as values_list() gives them)

Elsewhere than on PostgreSQL (SQLite's `IN (%s, …)` has one placeholder per id) the queryset is
built and run each time, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

_SENTINEL = -8_110_042_700  # far from any id; one per named list below it

Converters = list[tuple[int, list[Callable[..., Any]], Any]]


class CompiledRows:
    def __init__(self, build: Callable[..., QuerySet], *names: str) -> None:
        self.build = build
        self.names = names
        self._compiled: dict[str, tuple[str, tuple, tuple, Converters]] = {}

    def _compile(self, connection: Any) -> tuple[str, tuple, tuple, Converters]:
        sentinels = {name: [_SENTINEL - index] for index, name in enumerate(self.names)}
        queryset = self.build(**sentinels)
        query = queryset.query
        if query.annotation_select or query.extra_select or not query.values_select:
            raise ValueError("CompiledRows runs values_list() of fields only")
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        by_value = {value[0]: name for name, value in sentinels.items()}
        slots = tuple(
            by_value.get(param[0]) if isinstance(param, list) and len(param) == 1 else None
            for param in params
        )
        if sorted(name for name in slots if name) != sorted(self.names):
            raise ValueError("each named list must be one parameter of the query, once")
        columns = [column[0] for column in compiler.select[: compiler.col_count]]
        converters = [
            (position, functions, expression)
            for position, (functions, expression) in compiler.get_converters(columns).items()
        ]
        return sql, tuple(params), slots, converters

    def rows(self, using: str = DEFAULT_DB_ALIAS, **values: Iterable[int]) -> list[tuple]:
        connection = connections[using]
        if connection.vendor != "postgresql":
            return list(self.build(**{name: list(ids) for name, ids in values.items()}))
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compiled[using] = self._compile(connection)
        sql, params, slots, converters = compiled
        run = [
            param if name is None else _array(values[name])
            for param, name in zip(params, slots, strict=True)
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, run)
            rows = cursor.fetchall()
        if not converters:
            return rows
        return [_converted(row, converters, connection) for row in rows]


def _array(ids: Iterable[int]) -> str:
    """The ids as PostgreSQL's array literal `{1,2,3}`, which the column's side of `= ANY(%s)`
    types: psycopg's own list dumper loops over the ids in Python to make the same text (with
    client-side binding, Django's default), several times slower for a page's 100 ids."""
    return "{" + ",".join([str(int(pk)) for pk in ids]) + "}"


def _converted(row: tuple, converters: Converters, connection: Any) -> tuple:
    """As SQLCompiler.apply_converters does."""
    values = list(row)
    for position, functions, expression in converters:
        value = values[position]
        for function in functions:
            value = function(value, expression, connection)
        values[position] = value
    return tuple(values)
