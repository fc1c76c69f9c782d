"""A page of a keyword search and its `results_available` in one pass over the matches.

A keyword is costly per row: PostgreSQL rechecks every candidate of the trigram bitmap (with
`LIKE` on the lower-cased copy of the text since events.0007; with four `ILIKE`s, each
lower-casing the whole text, before). Asked as two statements, the page walked
the order index and evaluated the keyword on thousands of rows until it had its 100, then the
count evaluated it again on every match. Here the matches' ids and order keys are materialised
once, then counted and sorted from there (`counted_page`); the page's rows are read by id
(`event_rows_by_id`). On the 100,000-event benchmark database, keyword + prefecture: 2,400
rows rechecked once instead of 4,400 + 2,400 (bench/search/README.md).
"""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet

from kaisai.accounts.models import User
from kaisai.api.v2 import selectors
from kaisai.api.v2.params import EventParams
from kaisai.api.v2.selectors import EVENT_ROW_FIELDS, EventRow
from kaisai.core.compiled_rows import CompiledRows
from kaisai.core.lookups import one_of
from kaisai.events import search_cache
from kaisai.events.access import public_only
from kaisai.events.models import Event

_COUNTED_PAGE_SQL = (
    "WITH m ({columns}) AS MATERIALIZED ({matches})"
    " SELECT m.id, (SELECT COUNT(*) FROM m) FROM m ORDER BY {order} LIMIT %s OFFSET %s"
)


def _order_keys(events: QuerySet[Event]) -> list[tuple[str, bool]]:
    """The queryset's order as (field, descending), ending with the id (a total order)."""
    keys = []
    for name in events.query.order_by:
        if not isinstance(name, str):
            raise TypeError(f"counted_page orders by field names only, not {name!r}")
        keys.append((name.lstrip("-"), name.startswith("-")))
    if not any(name in ("id", "pk") for name, _desc in keys):
        keys.append(("id", False))
    return keys


def counted_page_sql(events: QuerySet[Event], offset: int, count: int) -> tuple[str, list]:
    """The statement of `counted_page` and its parameters (bench/search/plans.py explains it)."""
    keys = _order_keys(events)
    fields = [name for name, _desc in keys if name not in ("id", "pk")]
    alias = {name: f"k{n}" for n, name in enumerate(fields)} | {"id": "id", "pk": "id"}
    matches, params = events.order_by().values_list("id", *fields).query.sql_with_params()
    sql = _COUNTED_PAGE_SQL.format(
        columns=", ".join(["id", *(alias[name] for name in fields)]),
        matches=matches,
        order=", ".join(f"m.{alias[name]}{' DESC' if desc else ''}" for name, desc in keys),
    )
    return sql, [*params, count, offset]


def counted_page(events: QuerySet[Event], offset: int, count: int) -> tuple[list[int], int | None]:
    """The ids of one page of `events` (in its order) and the number of all of them, in one
    statement. The number is None when the page is empty and `offset` > 0 (the statement
    returned no row to carry it): count separately then (a page past the end)."""
    with connection.cursor() as cursor:
        cursor.execute(*counted_page_sql(events, offset, count))
        found = cursor.fetchall()
    if not found:
        return [], 0 if offset == 0 else None
    return [pk for pk, _total in found], int(found[0][1])


def keyword_page(params: EventParams, *, viewer: User) -> tuple[list[int], int]:
    """The ids of the asked page of a keyword search and the number of all its matches
    (`counted_page`), through the search cache (`events.search_cache`) unless `nickname` asks
    for participants (registrations and check-ins, which the search version does not follow)."""
    page = params.page

    def compute() -> tuple[list[int], int]:
        events = selectors.search(params, viewer=viewer)
        ids, counted = counted_page(events, page.offset, page.count)
        return ids, events.count() if counted is None else counted

    if params.nicknames:
        return compute()
    query = selectors.event_query(params)
    return search_cache.cached("api-v2", query, (page.offset, page.count), compute)


def event_rows_by_id(ids: list[int]) -> list[EventRow]:
    """The rows of these events (EVENT_ROW_FIELDS, as `selectors.event_rows`), in the order of
    `ids`; public ones only (an event unpublished since its id was found is left out)."""
    if not ids:
        return []
    by_id = {row[_ID]: dict(zip(EVENT_ROW_FIELDS, row, strict=True)) for row in _ROWS.rows(ids=ids)}
    return [by_id[pk] for pk in ids if pk in by_id]


# Compiled once (core/compiled_rows.py): as `.values(*EVENT_ROW_FIELDS)`, in tuples.
_ID = EVENT_ROW_FIELDS.index("id")
_ROWS = CompiledRows(
    lambda ids: (
        public_only(Event.objects.filter(one_of("id", ids)))
        .order_by()
        .values_list(*EVENT_ROW_FIELDS)
    ),
    "ids",
)
