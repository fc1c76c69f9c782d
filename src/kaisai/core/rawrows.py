"""Model instances from the rows of a raw query, for the hottest reads (the API token's user,
the frame a registration goes to; bench/RESULTS.md).

`Model.objects.raw()` works out the mapping of the cursor's columns to the model's fields on
every query, which on these one-row reads costs more than the query itself. Here the caller
names the fields once (`columns` for its SELECT list, in that order), and `from_row` builds
the instance as the ORM's iterator does: the backend's and the fields' converters, then
`Model.from_db`. Fields not named are deferred, as with `.only()`: reading one loads it with a
query of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)


def fields_of(
    model: type[models.Model], *, only: Sequence[str] = (), exclude: Sequence[str] = ()
) -> list[models.Field]:
    """The model's concrete fields (those named in `only`, if given) but those in `exclude`,
    in the model's order."""
    return [
        field
        for field in model._meta.concrete_fields
        if (not only or field.name in only) and field.name not in exclude
    ]


def columns(fields: Sequence[models.Field], table_alias: str) -> str:
    """`alias.column, …` for a SELECT list."""
    quote = connection.ops.quote_name
    return ", ".join(f"{table_alias}.{quote(field.column)}" for field in fields)


# Per database vendor, model and fields: each column with its converters, and the attnames
# (worked out once: on the user's twenty columns this was a third of from_row's time). The
# backends' converters read only the settings (the time zone), the same for every connection.
_PLANS: dict[tuple, tuple[list[tuple[Any, list]], list[str]]] = {}


def _plan(model: type[models.Model], fields: Sequence[models.Field]):
    key = (connection.vendor, model, tuple(fields))
    plan = _PLANS.get(key)
    if plan is None:
        columns = []
        for field in fields:
            column = field.get_col(model._meta.db_table)
            converters = connection.ops.get_db_converters(column) + column.get_db_converters(
                connection
            )
            columns.append((column, converters))
        plan = _PLANS[key] = (columns, [field.attname for field in fields])
    return plan


def from_row(model: type[M], fields: Sequence[models.Field], values: Sequence) -> M:
    columns, attnames = _plan(model, fields)
    converted = []
    for (column, converters), value in zip(columns, values, strict=True):
        for converter in converters:
            value = converter(value, column, connection)
        converted.append(value)
    return model.from_db(connection.alias, attnames, converted)


def first_where(model: type[M], tests: Sequence[tuple[str, str]], params: Sequence) -> M | None:
    """The first row of `model` (every concrete field) where each (column, operator) of
    `tests` holds against its parameter in `params`, e.g. `[("id", "=")]`, `[5]`; None if no
    row does. Column names and operators come from the caller's code, values only as
    parameters."""
    fields = fields_of(model)
    quote = connection.ops.quote_name
    alias = quote("t")
    where = " AND ".join(f"{alias}.{quote(column)} {operator} %s" for column, operator in tests)
    sql = (
        f"SELECT {columns(fields, alias)} FROM {quote(model._meta.db_table)} {alias} WHERE {where}"  # noqa: S608
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        row = cursor.fetchone()
    return None if row is None else from_row(model, fields, row)
