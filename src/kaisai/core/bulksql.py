"""Set-based writes for services that change many rows at once (a lottery draw of 100,000):
one statement per batch instead of one per row, on PostgreSQL and SQLite alike.

- `positions(ids)`: a relation `o(id, n)` of the given ids with their 1-based positions, from
  one parameter (a PostgreSQL array, or a JSON array for SQLite's `json_each`), so a batch of
  any size needs no IN list (PostgreSQL allows 65,535 parameters per statement).
- `members(expression, ids)`: "expression is one of ids", from one parameter likewise.
- `insert_select(instance, source, links)`: `INSERT INTO table (…) SELECT … FROM source`,
  writing `instance`'s columns the way the ORM saves them (defaults, auto_now_add) except
  the columns in `links`, which are SQL over `source`. The same idea as the one-statement
  registration's `insert_cte`, for both databases.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.db import connection, models


def positions(ids: Sequence[int], alias: str = "o") -> tuple[str, list]:
    """SQL for a relation `alias(id, n)`: `ids` in their order, n = 1, 2, …"""
    if connection.vendor == "postgresql":
        return f"unnest(%s::bigint[]) WITH ORDINALITY AS {alias}(id, n)", [list(ids)]
    return (
        f"(SELECT CAST(value AS INTEGER) AS id, key + 1 AS n FROM json_each(%s)) AS {alias}",  # noqa: S608
        [json.dumps(list(ids))],
    )


def members(expression: str, ids: Sequence[int]) -> tuple[str, list]:
    """SQL for "`expression` is one of `ids`" from one parameter (no IN list)."""
    if connection.vendor == "postgresql":
        return f"{expression} = ANY(%s::bigint[])", [list(ids)]
    return f"{expression} IN (SELECT value FROM json_each(%s))", [json.dumps(list(ids))]  # noqa: S608


def json_reference(model: type[models.Model], pk_sql: str) -> tuple[str, list]:
    """SQL for the JSON `{"_model": label, "pk": <pk_sql>}` (what `outbox.context_refs`
    stores for a model instance)."""
    if connection.vendor == "postgresql":
        return f"jsonb_build_object('_model', %s::text, 'pk', {pk_sql})", [model._meta.label]
    return f"json_object('_model', %s, 'pk', {pk_sql})", [model._meta.label]


def json_object(name: str, value: tuple[str, list]) -> tuple[str, list]:
    """SQL for the JSON `{name: value}`, `value` being JSON SQL."""
    function = "jsonb_build_object" if connection.vendor == "postgresql" else "json_object"
    cast = "::text" if connection.vendor == "postgresql" else ""
    return f"{function}(%s{cast}, {value[0]})", [name, *value[1]]


def insert_select(
    instance: models.Model,
    source: str,
    links: dict[str, tuple[str, list]],
    *,
    source_params: Sequence = (),
    tail: str = "",
    tail_params: Sequence = (),
) -> tuple[str, list]:
    """`INSERT INTO <instance's table> (…) SELECT … FROM <source> <tail>`; every column but
    the primary key is `instance`'s value as the ORM would save it, or the SQL in `links`
    (attname → (sql, params))."""
    postgres = connection.vendor == "postgresql"
    columns, values, params = [], [], []
    for field in instance._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.attname in links:
            sql, link_params = links[field.attname]
            values.append(sql)
            params.extend(link_params)
        else:
            values.append(f"%s::{field.db_type(connection)}" if postgres else "%s")
            params.append(field.get_db_prep_save(field.pre_save(instance, True), connection))
    table = connection.ops.quote_name(instance._meta.db_table)
    # Identifiers come from the model's metadata, values only as parameters.
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)})"  # noqa: S608
        f" SELECT {', '.join(values)} FROM {source} {tail}"
    )
    return sql, [*params, *source_params, *tail_params]
