"""Keyword searches' matches cached, exactly (docs/search.md, "The search cache").

A keyword is the costly part of a search: the trigram index's candidates are rechecked one by
one, and API v2 must count every match (`results_available`). What is cached is only what the
search decides — the ordered ids of the page asked and, for API v2, the number of matches —
keyed by the query and by the *search version*: one row (`events_search_version`, migration
events.0009) that database triggers change in the same transaction as every INSERT, UPDATE,
DELETE (and TRUNCATE) of `events_event` and `groups_group`, whoever writes. A cached entry is
thus used only while nothing the search reads has changed since it was made; the rows
themselves, their seat counts and states are read fresh by id on every request.

The version is read before the search runs: an answer is stored under a version no newer than
the data it was computed from (at worst newer data under an older version, which its readers
see anyway once their own reads run after that write). Versions are never reused (a sequence
on PostgreSQL, `random()` on SQLite), so an answer computed inside a transaction that rolls
back is never found again.

Only queries whose every filter reads those two tables and nothing that changes with time are
cached (`cacheable`): not the participants' or owners' nicknames (registrations, organizers,
users) and not `ends_from` / `ends_before` (the moment). A date given to the search is part of
the key, and so are the current time zone (months and days are read in it) and the database.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.utils import timezone

from kaisai.events.models import Event
from kaisai.events.search import EventQuery, search_events
from kaisai.events.selectors import public_events

CACHE_PREFIX = "kaisai:search:"
CACHE_SECONDS = 600  # a version lasts until the next write; an idle entry expires
VERSION_SQL = "SELECT n FROM events_search_version WHERE id = 1"

T = TypeVar("T")


def search_version(using: str = DEFAULT_DB_ALIAS) -> int | None:
    """The current search version, or None when the row is missing (nothing is cached then)."""
    with connections[using].cursor() as cursor:
        cursor.execute(VERSION_SQL)
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def cacheable(query: EventQuery) -> bool:
    """Whether every filter of the query reads only events and groups, and nothing reads the
    clock (see the module's docstring)."""
    return not (
        query.participant_nicknames or query.owner_nicknames or query.ends_from or query.ends_before
    )


def cache_key(kind: str, query: EventQuery, extra: tuple, version: int, using: str) -> str:
    text = repr(
        (
            kind,
            dataclasses.astuple(query),
            extra,
            timezone.get_current_timezone_name(),
            connections[using].settings_dict["NAME"],
            version,
        )
    )
    return CACHE_PREFIX + hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def cached(kind: str, query: EventQuery, extra: tuple, compute: Callable[[], T]) -> T:
    """`compute()`'s answer for this query (and `extra`: the page), through the cache while the
    search version stays the same. `compute` must read only what `cacheable` allows, from the
    database events are read from (the version is read there too), and its answer must be
    picklable and not None."""
    if not cacheable(query):
        return compute()
    using = router.db_for_read(Event) or DEFAULT_DB_ALIAS
    version = search_version(using)
    if version is None:
        return compute()
    key = cache_key(kind, query, extra, version, using)
    found = cache.get(key)
    if found is not None:
        return found
    answer = compute()
    cache.set(key, answer, CACHE_SECONDS)
    return answer


def search_page(query: EventQuery, offset: int, limit: int) -> list[Event]:
    """`list(search_events(query)[offset:offset + limit])`; with keywords, the ids through the
    cache and the events read by id (public ones only: one unpublished since is left out)."""
    if not (query.keywords or query.keywords_or):
        return list(search_events(query)[offset : offset + limit])
    ids: list[int] = cached(
        "page",
        query,
        (offset, limit),
        lambda: list(search_events(query).values_list("id", flat=True)[offset : offset + limit]),
    )
    if not ids:
        return []
    by_id = public_events().in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]
