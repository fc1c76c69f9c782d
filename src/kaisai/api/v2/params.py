"""Query parameters of the connpass-compatible API, read the way connpass documents them.

Every multi-valued parameter takes repeated keys (`a=1&a=2`), comma-separated values (`a=1,2`)
or both mixed. Bad values raise `ParamError` (answered with 400 and the field's messages).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.http import QueryDict
from django.utils.translation import gettext as _

from kaisai.core.prefectures import Prefecture

MAX_COUNT = 100
DEFAULT_COUNT = 10
MAX_INT = 2**63 - 1  # the largest id a database column holds; larger numbers are refused

# `order`: connpass's numbers, and the names clients send. The PyPI client `connpass` sends
# `str()` of its `(int, Enum)` member, i.e. "EventOrder.STARTED_AT" (see docs/api-v2.md).
ORDER_BY_NAME = {
    "1": 1,
    "2": 2,
    "3": 3,
    "updated_at": 1,
    "started_at": 2,
    "created_at": 3,
    "newest": 3,
    "eventorder.updated_at": 1,
    "eventorder.started_at": 2,
    "eventorder.created_at": 3,
}

_MONTH = re.compile(r"^\d{6}$")
_DAY = re.compile(r"^\d{8}$")
_PREFECTURES = frozenset(Prefecture.values)


class ParamError(Exception):
    """Invalid query parameters: {name: [messages]}."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class Page:
    start: int = 1  # 1-origin position of the first result
    count: int = DEFAULT_COUNT

    @property
    def offset(self) -> int:
        return self.start - 1


@dataclass(frozen=True)
class Month:
    year: int
    month: int


@dataclass
class EventParams:
    event_ids: list[int] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    keywords_or: list[str] = field(default_factory=list)
    months: list[Month] = field(default_factory=list)
    days: list[date] = field(default_factory=list)
    publish_months: list[Month] = field(default_factory=list)
    publish_days: list[date] = field(default_factory=list)
    nicknames: list[str] = field(default_factory=list)
    owner_nicknames: list[str] = field(default_factory=list)
    group_ids: list[int] = field(default_factory=list)
    subdomains: list[str] = field(default_factory=list)
    prefectures: list[str] = field(default_factory=list)
    order: int = 1
    page: Page = field(default_factory=Page)


class _Reader:
    """Reads one QueryDict, collecting every parameter's errors before raising."""

    def __init__(self, query: QueryDict) -> None:
        self.query = query
        self.errors: dict[str, list[str]] = {}

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def strings(self, name: str) -> list[str]:
        values: list[str] = []
        for raw in self.query.getlist(name):
            values.extend(part.strip() for part in raw.split(","))
        return [value for value in values if value]

    def ints(self, name: str) -> list[int]:
        numbers = []
        for value in self.strings(name):
            if value.isascii() and value.isdigit() and int(value) <= MAX_INT:
                numbers.append(int(value))
            else:
                self.fail(name, _("“%(value)s” is not a whole number.") % {"value": value})
        return numbers

    def months(self, name: str) -> list[Month]:
        months = []
        for value in self.strings(name):
            month = int(value[4:]) if _MONTH.match(value) else 0
            if 1 <= month <= 12 and int(value[:4]) >= 1:
                months.append(Month(int(value[:4]), month))
            else:
                self.fail(name, _("“%(value)s” is not a month (yyyymm).") % {"value": value})
        return months

    def days(self, name: str) -> list[date]:
        days = []
        for value in self.strings(name):
            try:
                if not _DAY.match(value):
                    raise ValueError(value)
                days.append(date(int(value[:4]), int(value[4:6]), int(value[6:])))
            except ValueError:
                self.fail(name, _("“%(value)s” is not a day (yyyymmdd).") % {"value": value})
        return days

    def prefectures(self, name: str) -> list[str]:
        found = []
        for value in self.strings(name):
            if value.lower() in _PREFECTURES:
                found.append(value.lower())
            else:
                self.fail(name, _("“%(value)s” is not a prefecture.") % {"value": value})
        return found

    def last_int(self, name: str) -> int | None:
        values = self.query.getlist(name)
        if not values or not values[-1].strip():
            return None
        value = values[-1].strip()
        if value.isascii() and value.lstrip("-").isdigit() and abs(int(value)) <= MAX_INT:
            return int(value)
        self.fail(name, _("“%(value)s” is not a whole number.") % {"value": value})
        return None

    def order(self) -> int:
        values = self.query.getlist("order")
        if not values or not values[-1].strip():
            return 1
        value = values[-1].strip()
        if value.lower() in ORDER_BY_NAME:
            return ORDER_BY_NAME[value.lower()]
        self.fail("order", _("Use 1 (updated), 2 (start time) or 3 (newest)."))
        return 1

    def page(self) -> Page:
        start = self.last_int("start")
        count = self.last_int("count")
        if start is not None and start < 1:
            self.fail("start", _("Start at 1 or later."))
        if count is not None and count < 1:
            self.fail("count", _("Ask for at least 1 result."))
        start = start if start is not None and start >= 1 else 1
        count = count if count is not None and count >= 1 else DEFAULT_COUNT
        return Page(start=start, count=min(count, MAX_COUNT))

    def done(self) -> None:
        if self.errors:
            raise ParamError(self.errors)


def page_params(query: QueryDict) -> Page:
    reader = _Reader(query)
    page = reader.page()
    reader.done()
    return page


def event_params(query: QueryDict) -> EventParams:
    reader = _Reader(query)
    params = EventParams(
        event_ids=reader.ints("event_id"),
        keywords=reader.strings("keyword"),
        keywords_or=reader.strings("keyword_or"),
        months=reader.months("ym"),
        days=reader.days("ymd"),
        publish_months=reader.months("publish_ym"),
        publish_days=reader.days("publish_ymd"),
        nicknames=reader.strings("nickname"),
        owner_nicknames=reader.strings("owner_nickname"),
        group_ids=reader.ints("group_id"),
        subdomains=reader.strings("subdomain"),
        prefectures=reader.prefectures("prefecture"),
        order=reader.order(),
        page=reader.page(),
    )
    reader.done()
    return params


def list_params(query: QueryDict, name: str, *, limit: int = 100) -> tuple[list[str], Page]:
    """A multi-valued string parameter of at most `limit` values (groups: `subdomain`, users:
    `nickname`), with the page."""
    reader = _Reader(query)
    values = reader.strings(name)
    if len(values) > limit:
        reader.fail(name, _("At most %(limit)d values.") % {"limit": limit})
    page = reader.page()
    reader.done()
    return values, page
