"""The fingerprint of a public event page: one SQL statement that returns, as JSON text, every
row and column the anonymous page shows (docs/caching.md). The page is cached under a hash of
it, so any change to what the page shows is a new key: nothing to invalidate, nothing stale.

Each part is a Django query of the rows a part of the page reads, compiled once per process
(like core/subqueries.CountOf) and folded into one statement as a JSON array per part. Where a
part is cheap, it reads a superset (every column of the event, its frames, sponsors, talks,
timetable, recap): a column added later is in the fingerprint without anyone remembering it.
"""

from __future__ import annotations

import hashlib
import json
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Count, F, Func, IntegerField, Model, OuterRef, QuerySet, Subquery
from psycopg.pq import ExecStatus

from kaisai.events.models import Event, Sponsor
from kaisai.groups.models import Organizer
from kaisai.recaps.models import ExternalRecap, Recap
from kaisai.registrations.enums import Status
from kaisai.registrations.models import Frame, Registration
from kaisai.registrations.selectors_participant import afterparty_q
from kaisai.registrations.selectors_participants import shown_on_event_page
from kaisai.talks.models import Material, Speaker, Talk, TimetableEntry

# Stands for the event's id while a part is compiled; replaced by the real id at each run
# (and by $1 in the PREPAREd statement of PostgreSQL).
_EVENT_ID = -7_301_996_441
_PREPARED_ID = 7_301_996_443
# A person as the page shows them (User.name, get_absolute_url, the avatar).
PERSON = ("nickname", "display_name", "deleted_at", "avatar")
# Columns the page never shows and that are large (a draw's list of 100,000 applicants).
NOT_SHOWN = {
    Frame: {"accepted_count", "waitlist_seq"},  # the counts below are the facts
    Talk: {"abstract"},
}


def _columns(model: type[Model], *first: str, related: dict[str, tuple[str, ...]] | None = None):
    """values() of the part: `first` in this order (read back by the caller), then every
    other concrete column of `model` and the related people's columns; aliased c0, c1, …"""
    names = list(first)
    skip = NOT_SHOWN.get(model, set())
    for field in model._meta.concrete_fields:
        if field.attname not in names and field.name not in skip:
            names.append(field.attname)
    for path, fields in (related or {}).items():
        names.extend(f"{path}__{name}" for name in fields)
    return {f"c{index}": F(name) for index, name in enumerate(names)}


def _rows(rows: QuerySet, model: type[Model], **related: tuple[str, ...]) -> QuerySet:
    return rows.order_by("pk").values(**_columns(model, related=related))


def _count(rows: QuerySet) -> QuerySet:
    return rows.order_by().values("event_id").annotate(c0=Count("id")).values("c0")


def _event(pk: int) -> QuerySet:
    return Event.objects.filter(pk=pk).values(
        **_columns(Event, "status", "starts_at", "ends_at", related={"group": ("title", "slug")})
    )


def _count_in_frame(status: str) -> Subquery:
    """How many of the frame's registrations have `status`: a count over the (frame, status,
    waitlist_key) index, without joining and grouping the registrations themselves."""
    rows = Registration.objects.filter(frame_id=OuterRef("pk"), status=status).order_by()
    # COUNT(*) as a plain function (not an aggregate): no GROUP BY, 0 when there are none.
    return Subquery(
        rows.annotate(n=Func(template="COUNT(*)", output_field=IntegerField())).values("n")
    )


def _frames(pk: int) -> QuerySet:
    counts = {
        f"n_{status}": _count_in_frame(status)
        for status in (Status.ACCEPTED, Status.WAITLISTED, Status.APPLIED)
    }
    return (
        Frame.objects.filter(event_id=pk)
        .values(
            **_columns(
                Frame,
                "opens_at",
                "closes_at",
                "lottery_at",
                related={"draw": ("id", "commitment", "drawn_at")},
            )
        )
        .annotate(**counts)
        .order_by("order", "id")
    )


PARTS: dict[str, Callable[[int], QuerySet]] = {
    # The first two are read back for the time-dependent states (instants, below).
    "event": _event,
    "frames": _frames,
    "afterparty": lambda pk: _count(Registration.objects.filter(afterparty_q(), event_id=pk)),
    "people": lambda pk: shown_on_event_page(pk).values(
        **_columns(Registration, "id", "frame_id", related={"user": PERSON})
    ),
    "sponsors": lambda pk: _rows(Sponsor.objects.filter(event_id=pk), Sponsor),
    "organizers": lambda pk: _rows(
        Organizer.objects.filter(group__events__id=pk), Organizer, user=PERSON
    ),
    "talks": lambda pk: _rows(Talk.objects.filter(event_id=pk), Talk),
    "speakers": lambda pk: _rows(Speaker.objects.filter(talk__event_id=pk), Speaker, user=PERSON),
    "timetable": lambda pk: _rows(TimetableEntry.objects.filter(event_id=pk), TimetableEntry),
    "materials": lambda pk: _count(Material.objects.filter(event_id=pk)),
    "recap": lambda pk: _rows(Recap.objects.filter(event_id=pk), Recap),
    "external_recaps": lambda pk: _rows(
        ExternalRecap.objects.filter(event_id=pk), ExternalRecap, user=PERSON
    ),
}


@dataclass(frozen=True)
class Fingerprint:
    parts: tuple[str | None, ...]  # the JSON text of each part, in PARTS' order
    status: str
    instants: tuple[datetime, ...]  # every time at which the page may change by itself
    starts_at: datetime  # the event's start (one of the instants)

    def time_state(self, now: datetime) -> tuple[bool, ...]:
        """Which of the instants have passed: the frames' windows (open, not yet, closed),
        "held", the lottery's time — whatever the rules that read them."""
        return tuple(now >= moment for moment in self.instants)

    @cached_property
    def digest(self) -> bytes:
        """The parts in 20 bytes, for the page's key: each part's UTF-8 text after its length
        ("-" for no rows), so that no two different tuples of parts give the same input.
        Hashed here rather than in the database (md5 of each part there cost PostgreSQL more
        than sending the text) and without repr() (half the time)."""
        digest = hashlib.blake2b(digest_size=20)
        for part in self.parts:
            if part is None:
                digest.update(b"-")
            else:
                data = part.encode()
                digest.update(b"%d:" % len(data))
                digest.update(data)
        return digest.digest()


class _Statement:
    """The parts folded into one SELECT, compiled once per process and database vendor."""

    def __init__(self) -> None:
        self._compiled: dict[str, tuple[str, list[int | None], tuple]] = {}
        # The names PREPAREd on each (psycopg) connection; forgotten with the connection.
        self._prepared_on: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()
        self._prepare: tuple[str, str] | None = None  # PostgreSQL: name and text

    def _compile(self) -> tuple[str, list[int | None], tuple]:
        quote = connection.ops.quote_name
        if connection.vendor == "postgresql":
            aggregate, array = "json_agg", "json_build_array"
        else:
            aggregate, array = "json_group_array", "json_array"
        selects: list[str] = []
        all_params: list[Any] = []
        for query in PARTS.values():
            values = query(_EVENT_ID)
            inner, params = values.query.sql_with_params()
            names = list(values.query.values_select) + list(values.query.annotation_select)
            columns = ", ".join(f"{quote('part')}.{quote(name)}" for name in names)
            # Django's own compiled SQL (values as parameters) and model metadata only.
            selects.append(
                f"(SELECT CAST({aggregate}({array}({columns})) AS TEXT) "  # noqa: S608
                f"FROM ({inner}) {quote('part')})"
            )
            all_params.extend(params)
        sql = "SELECT " + ", ".join(selects)
        slots = [None if param == _EVENT_ID else index for index, param in enumerate(all_params)]
        return sql, slots, tuple(all_params)

    def run(self, pk: int) -> tuple[Any, ...]:
        db = connections[DEFAULT_DB_ALIAS]  # once: each use of the proxy is a lookup
        compiled = self._compiled.get(db.vendor)
        if compiled is None:
            compiled = self._compiled[db.vendor] = self._compile()
        sql, slots, params = compiled
        prepared = db.vendor == "postgresql" and not settings.KAISAI_PGBOUNCER
        if prepared:
            row = self._executed(db, pk)
            if row is not None:
                return row
        with db.cursor() as cursor:
            if prepared:
                # The id written in (an int: the URL's converter): psycopg then has no
                # parameter to adapt (its adapters, dumpers and query conversion).
                cursor.execute(f"EXECUTE {self._prepared(cursor, sql, params)}({int(pk)})")
            else:
                cursor.execute(sql, [pk if slot is None else params[slot] for slot in slots])
            return cursor.fetchone()

    def _executed(self, db: Any, pk: int) -> tuple[str | None, ...] | None:
        """The row of the statement already PREPAREd on this connection, run by libpq itself
        (`PQexec`, which lets go of the GIL while it waits) rather than by a psycopg cursor:
        ~30 instead of ~110 µs of CPU a hit, the most of it psycopg's non-blocking wait loop
        and result loading. None — then the ordinary cursor runs it, with Django's errors —
        when it cannot be used: not yet PREPAREd here, in a transaction (psycopg begins one
        at its next statement: the snapshot of a miss must include this read), with
        execute_wrappers installed, or when the statement did not return its row (a lost
        connection, an error: the cursor then raises what it always raised)."""
        db.close_if_health_check_failed()  # as Django's cursor() does first
        db.ensure_connection()
        raw = db.connection
        if (
            self._prepare is None
            or raw not in self._prepared_on
            or not db.autocommit
            or db.in_atomic_block
            or db.execute_wrappers
        ):
            return None
        db.validate_thread_sharing()
        query = b"EXECUTE %s(%d)" % (self._prepare[0].encode(), int(pk))
        with db.wrap_database_errors:
            result = raw.pgconn.exec_(query)
        if result.status != ExecStatus.TUPLES_OK or result.ntuples != 1:
            return None
        if db.queries_logged:  # counted like any other query (tests, DEBUG)
            db.queries_log.append({"sql": query.decode(), "time": "0.000"})
        values = (result.get_value(0, column) for column in range(result.nfields))
        return tuple(None if value is None else value.decode() for value in values)

    def _prepared(self, cursor: Any, sql: str, params: tuple) -> str:
        """The statement's name, PREPAREd once per database connection: parsing and
        planning 20 KB of SQL cost the database more than running it, and psycopg does not
        cache the conversion of a query that long. Not behind PgBouncer (KAISAI_PGBOUNCER),
        which before 1.21 does not route prepared statements.

        The connection plans it once, generically (`plan_cache_mode`, set in settings.py
        at connection start): with PostgreSQL's default it was planned anew for each event
        id (a custom plan: 1.8 ms of planning for 0.7 ms of execution on the demo). No other
        statement of kaisai's is prepared (Django's psycopg connections have no
        `prepare_threshold`), so nothing else is planned differently."""
        if self._prepare is None:
            marked = [_PREPARED_ID if param == _EVENT_ID else param for param in params]
            compose = connection.ops.compose_sql  # type: ignore[attr-defined]  # PostgreSQL
            text = compose(sql, marked).replace(str(_PREPARED_ID), "$1")
            digest = hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:12]
            self._prepare = (f"kaisai_event_page_{digest}", text)
        name, text = self._prepare
        raw = connection.connection
        if raw not in self._prepared_on:
            cursor.execute(f"PREPARE {name}(bigint) AS {text}")
            self._prepared_on[raw] = True
        return name


STATEMENT = _Statement()


def _moment(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# The fingerprints built lately, by the row read: a hit whose row is the same as a previous
# read's (the text of every part equal) takes that one, without parsing the event's and the
# frames' JSON or hashing the parts again. A pure function of the row; bounded, cleared when
# full.
_BUILT: dict[tuple[Any, ...], Fingerprint | None] = {}
BUILT_MAX = 256


def fingerprint(pk: int) -> Fingerprint | None:
    """The event's fingerprint (one query), or None when there is no such event."""
    row = tuple(STATEMENT.run(pk))
    try:
        return _BUILT[row]
    except KeyError:
        pass
    built = _build(row)
    if len(_BUILT) >= BUILT_MAX:
        _BUILT.clear()
    _BUILT[row] = built
    return built


def _build(row: tuple[Any, ...]) -> Fingerprint | None:
    event = json.loads(row[0] or "[]")  # no rows: NULL on PostgreSQL, [] on SQLite
    if not event:
        return None
    (status, starts_at, ends_at, *_rest) = event[0]
    instants = [_moment(starts_at), _moment(ends_at)]
    for opens_at, closes_at, lottery_at, *_frame in json.loads(row[1] or "[]"):
        instants.extend((_moment(opens_at), _moment(closes_at), _moment(lottery_at)))
    return Fingerprint(
        parts=row,
        status=status,
        instants=tuple(sorted({moment for moment in instants if moment is not None})),
        starts_at=_moment(starts_at) or datetime.max.replace(tzinfo=UTC),
    )
