"""`column = ANY(array)` for a list of values (PostgreSQL): the events search's prefecture
test and API v2's reads of a page's rows use it (`one_of`)."""

from __future__ import annotations

from django.db import connection
from django.db.models import F, Lookup, Q


class AnyOf(Lookup):
    """`lhs = ANY(%s)` with the values as one array parameter (PostgreSQL).

    - For a page's 100 ids it is several times cheaper than `IN (%s, %s, …)`, whose 100
      placeholders psycopg's client-side binding merges into the SQL in Python.
    - `col IN ('a')` of one value becomes `col = 'a'`, which the planner moves into an
      equivalence class and puts after a row's other conditions; as `= ANY` it costs half a
      comparison and is tested first, so a walk of an order index rejects by prefecture
      before it matches a keyword."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, list(self.rhs)]


def one_of(column: str, values: list) -> Q:
    """`column IN values`: as `= ANY(array)` on PostgreSQL, as `IN (…)` elsewhere."""
    if connection.vendor == "postgresql":
        return Q(AnyOf(F(column), list(values)))
    return Q(**{f"{column}__in": values})
