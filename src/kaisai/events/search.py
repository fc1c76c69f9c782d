"""Event search: one selector behind the search page, the feeds, the native API and the
connpass-compatible API. Different criteria are ANDed; several values of one criterion are ORed,
except `keywords` (every keyword must match). Only listed (public) events are searched.

Keywords match as case-insensitive substrings of the title, catch, description or address, so
Japanese text without spaces is found ("機械学習" in "はじめての機械学習入門"). Each database
answers them from an index that fits (migration 0004_search_indexes, docs/search.md):

- SQLite: the FTS5 table `event_fts` (trigram tokenizer, kept in sync by triggers), asked with
  `id IN (SELECT rowid FROM event_fts WHERE event_fts MATCH '"kw"')`. User input only ever
  appears inside FTS5 strings (double-quoted, inner quotes doubled) and as a bound parameter.
- PostgreSQL: `search_text LIKE lower('%kw%')` (the input's `%`, `_` and `\\` escaped), on the
  generated column of the four lower-cased columns (migration 0007_search_text), which its
  pg_trgm GIN index answers: the same matches as `col ILIKE '%kw%'` on each column, without
  lower-casing every candidate's text again in the recheck.

A trigram index needs at least three characters: shorter keywords ("AI", "機械") are matched
with LIKE/ILIKE without the index (SQLite's LIKE folds ASCII case only).

Months and days ("yyyymm", "yyyymmdd") and the date range are read in the current time zone and
compared as ranges on the column. Participants are users with an active registration (applied,
accepted, waitlisted); owners are the group's owners and organizers (not reception staff).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.expressions import Col, Expression, RawSQL
from django.db.models.fields import CharField, TextField
from django.db.models.lookups import Lookup
from django.utils import timezone

from kaisai.core.lookups import one_of
from kaisai.events.models import Event
from kaisai.events.selectors import ending_from_q, public_events
from kaisai.groups.enums import Role
from kaisai.groups.models import Organizer

ORDERS = ("updated", "start", "newest", "start_desc")

# Who took part in an event is registrations' to say: RegistrationsConfig.ready() sets the
# filter behind `participant_nicknames` (nicknames -> a condition on the event row).
ParticipantFilter = Callable[[list[str]], Exists]
participant_filter: list[ParticipantFilter] = []


def set_participant_filter(people_filter: ParticipantFilter) -> None:
    participant_filter[:] = [people_filter]


SEARCHED_FIELDS = ("title", "catch", "description", "address")
TRIGRAM = 3  # the shortest keyword a trigram index can answer


@dataclass
class EventQuery:
    keywords: list[str] = field(default_factory=list)  # all must match (AND)
    keywords_or: list[str] = field(default_factory=list)  # any may match (OR)
    event_ids: list[int] = field(default_factory=list)
    months: list[str] = field(default_factory=list)  # "yyyymm": held in that month
    days: list[str] = field(default_factory=list)  # "yyyymmdd": held on that day
    publish_months: list[str] = field(default_factory=list)
    publish_days: list[str] = field(default_factory=list)
    starts_from: date | None = None  # date range (pages, native API), inclusive
    starts_until: date | None = None
    ends_from: datetime | None = None  # still on or to come at this moment (ends_at >= it)
    ends_before: datetime | None = None  # over at this moment (ends_at < it)
    participant_nicknames: list[str] = field(default_factory=list)
    owner_nicknames: list[str] = field(default_factory=list)
    group_ids: list[int] = field(default_factory=list)
    group_slugs: list[str] = field(default_factory=list)
    prefectures: list[str] = field(default_factory=list)  # Prefecture values or "online"
    tags: list[str] = field(default_factory=list)  # hashtags, without "#"
    order: str = "start"  # one of ORDERS


class _ILike(Lookup):
    """`lhs ILIKE rhs` (PostgreSQL), the operator pg_trgm's GIN indexes answer. Django's own
    `icontains` compiles to `UPPER(col::text) LIKE UPPER(...)`, which those indexes cannot use."""

    lookup_name = "ilike"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} ILIKE {rhs}", [*lhs_params, *rhs_params]


class _LikeLowered(Lookup):
    """`lhs LIKE lower(rhs)` (PostgreSQL): the pattern lower-cased as ILIKE does it; the
    planner folds `lower('…')` into a constant, so pg_trgm's GIN index answers it."""

    lookup_name = "like_lowered"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} LIKE lower({rhs})", [*lhs_params, *rhs_params]


# events_event.search_text (PostgreSQL only, migration 0007_search_text): the four searched
# columns lower-cased, joined by SEARCH_SEPARATOR. Not a model field (Django never reads it).
SEARCH_SEPARATOR = "\x01"
_SEARCH_TEXT: TextField[str, str] = TextField()
_SEARCH_TEXT.set_attributes_from_name("search_text")


class _SearchText(Expression):
    """The search_text column of the query's events_event (its alias, as F() would resolve)."""

    output_field = TextField()

    def resolve_expression(
        self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False
    ):
        return Col(query.get_initial_alias(), _SEARCH_TEXT)


def like_pattern(word: str) -> str:
    """`%word%` with LIKE's wildcards and its escape character (backslash) escaped."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def fts5_string(word: str) -> str:
    """The word as one FTS5 string: double-quoted, inner double quotes doubled, so nothing in it
    is read as FTS5 syntax (AND, OR, NOT, NEAR, *, ^, column filters, parentheses)."""
    return '"' + word.replace('"', '""') + '"'


def _like_q(word: str) -> Q:
    """Substring match without an index (short keywords on SQLite)."""
    any_field = Q()
    for name in SEARCHED_FIELDS:
        any_field |= Q(**{f"{name}__icontains": word})
    return any_field


def _fts_q(match: str) -> Q:
    """Events whose row is found by an FTS5 MATCH expression (SQLite)."""
    return Q(pk__in=RawSQL("SELECT rowid FROM event_fts WHERE event_fts MATCH %s", [match]))


def _ilike_columns_q(word: str) -> Q:
    """`title ILIKE '%word%' OR catch ILIKE … OR address ILIKE …` (PostgreSQL, no index): what
    `_ilike_q` answers through search_text, asked column by column."""
    pattern = Value(like_pattern(word), output_field=CharField())
    any_field = Q()
    for name in SEARCHED_FIELDS:
        any_field |= Q(_ILike(F(name), pattern))
    return any_field


def _ilike_q(word: str) -> Q:
    """`search_text LIKE lower('%word%')` (PostgreSQL; the trigram index of search_text). A
    word containing the separator could match across two columns there: it is asked column by
    column instead (`_ilike_columns_q`; no index, and no one types U+0001)."""
    if SEARCH_SEPARATOR in word:
        return _ilike_columns_q(word)
    return Q(_LikeLowered(_SearchText(), Value(like_pattern(word), output_field=CharField())))


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _clean(words: list[str]) -> list[str]:
    """Blank words dropped; NUL removed (neither FTS5 nor PostgreSQL accept it in a string)."""
    return [word for word in (w.replace("\x00", "").strip() for w in words) if word]


def _all_words_q(words: list[str]) -> Q:
    if _postgres():
        every = Q()
        for word in words:
            every &= _ilike_q(word)
        return every
    long_words = [w for w in words if len(w) >= TRIGRAM]
    every = Q()
    if long_words:
        every &= _fts_q(" AND ".join(fts5_string(w) for w in long_words))
    for word in words:
        if len(word) < TRIGRAM:
            every &= _like_q(word)
    return every


def _any_word_q(words: list[str]) -> Q:
    if _postgres():
        any_word = Q()
        for word in words:
            any_word |= _ilike_q(word)
        return any_word
    long_words = [w for w in words if len(w) >= TRIGRAM]
    any_word = Q()
    if long_words:
        any_word |= _fts_q(" OR ".join(fts5_string(w) for w in long_words))
    for word in words:
        if len(word) < TRIGRAM:
            any_word |= _like_q(word)
    return any_word


def _day_start(day: date) -> datetime:
    """Midnight of the day in the current time zone (a range on the column keeps its index
    usable, where `starts_at__date` would compute a date for every row)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _parse_day(text: str, fmt: str) -> date | None:
    try:
        return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
    except ValueError:
        return None


# The first and last days whose midnight exists in every time zone and in UTC: a span at the
# edge of the calendar (year 1 or 9999) is clamped to them instead of overflowing.
FIRST_DAY = date(1, 1, 2)
LAST_DAY = date(9999, 12, 31)


def _later(day: date, days: int) -> date:
    try:
        return min(day + timedelta(days=days), LAST_DAY)
    except OverflowError:
        return LAST_DAY


def _held_in_q(months: list[str], days: list[str], column: str) -> Q:
    """The column falls in one of the months ("yyyymm") or days ("yyyymmdd"), in the current
    time zone. Values that are no date match nothing; the calendar's edges never overflow."""
    spans: list[tuple[date, date]] = []
    for text in months:
        first = _parse_day(text + "01", "%Y%m%d") if len(text) == 6 else None
        if first:
            after = LAST_DAY if first.year == 9999 and first.month == 12 else None
            spans.append((max(first, FIRST_DAY), after or _later(first, 32).replace(day=1)))
    for text in days:
        day = _parse_day(text, "%Y%m%d") if len(text) == 8 else None
        if day:
            spans.append((max(day, FIRST_DAY), _later(day, 1)))
    if not spans:
        return Q(pk__in=[])
    within = Q()
    for first, after in spans:
        within |= Q(**{f"{column}__gte": _day_start(first), f"{column}__lt": _day_start(after)})
    return within


def search_events(query: EventQuery) -> QuerySet[Event]:
    events = public_events()
    if query.event_ids:
        events = events.filter(pk__in=query.event_ids)
    if query.group_ids:
        events = events.filter(group_id__in=query.group_ids)
    if query.group_slugs:
        events = events.filter(group__slug__in=query.group_slugs)
    if query.prefectures:
        named = [p for p in query.prefectures if p != "online"]
        place = one_of("prefecture", named) if named else Q(prefecture__in=named)
        if "online" in query.prefectures:
            place |= Q(venue_kind__in=["online", "hybrid"])
        events = events.filter(place)
    if query.tags:
        events = events.filter(hashtag__in=[t.lstrip("#") for t in query.tags])
    if query.months or query.days:
        events = events.filter(_held_in_q(query.months, query.days, "starts_at"))
    if query.publish_months or query.publish_days:
        events = events.filter(_held_in_q(query.publish_months, query.publish_days, "published_at"))
    if query.starts_from:
        events = events.filter(starts_at__gte=_day_start(query.starts_from))
    if query.starts_until:
        events = events.filter(starts_at__lt=_day_start(query.starts_until + timedelta(days=1)))
    if query.ends_from:
        events = events.filter(ending_from_q(query.ends_from))
    if query.ends_before:
        events = events.filter(ends_at__lt=query.ends_before)
    if query.participant_nicknames:
        (people_filter,) = participant_filter
        events = events.filter(people_filter(query.participant_nicknames))
    if query.owner_nicknames:
        events = events.filter(
            Exists(
                Organizer.objects.filter(
                    group=OuterRef("group_id"),
                    role__in=[Role.OWNER, Role.ORGANIZER],
                    user__nickname__in=query.owner_nicknames,
                )
            )
        )
    # The keywords last: PostgreSQL evaluates the conditions of a row that cost the same in
    # the order written, so a walk of an order index rejects by date or prefecture first and
    # matches the keyword only on the rows that pass (LIKE on search_text costs as much to the
    # planner as a comparison; four ILIKEs cost it four, and came last by themselves).
    keywords = _clean(query.keywords)
    if keywords:
        events = events.filter(_all_words_q(keywords))
    keywords_or = _clean(query.keywords_or)
    if keywords_or:
        events = events.filter(_any_word_q(keywords_or))
    ordering = {
        "updated": ["-updated_at", "-id"],
        "start": ["starts_at", "id"],
        "newest": ["-published_at", "-id"],
        "start_desc": ["-starts_at", "-id"],
    }[query.order]
    return events.order_by(*ordering)
