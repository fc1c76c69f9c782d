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
from typing import TypeVar

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


def from_row(model: type[M], fields: Sequence[models.Field], values: Sequence) -> M:
    converted = []
    for field, value in zip(fields, values, strict=True):
        column = field.get_col(model._meta.db_table)
        converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        for converter in converters:
            value = converter(value, column, connection)
        converted.append(value)
    return model.from_db(connection.alias, [field.attname for field in fields], converted)
