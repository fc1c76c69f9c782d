"""The keyword index stays in step with the events on every write path (save, QuerySet.update,
bulk_create, bulk_update, delete) on both databases: SQLite's FTS5 table (triggers) and
PostgreSQL's generated `search_text` column (migration events.0007). On PostgreSQL the keyword
asked through `search_text` finds exactly what `col ILIKE '%kw%'` on the four columns finds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection

from kaisai.events.enums import EventStatus
from kaisai.events.models import Event
from kaisai.events.search import (
    SEARCH_SEPARATOR,
    SEARCHED_FIELDS,
    EventQuery,
    _ilike_columns_q,
    search_events,
)
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the search_text column is PostgreSQL's"
)
START = datetime(2030, 6, 1, 10, 0, tzinfo=UTC)


def found(*keywords: str) -> set[str]:
    return set(search_events(EventQuery(keywords=list(keywords))).values_list("title", flat=True))


def new_event(group, title: str, **fields) -> Event:
    fields.setdefault("catch", "")
    fields.setdefault("description", "")
    fields.setdefault("address", "")
    return Event(
        group=group,
        title=title,
        status=EventStatus.PUBLISHED,
        starts_at=START,
        ends_at=START,
        **fields,
    )


def stored_search_text() -> dict[int, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, search_text FROM events_event")
        return dict(cursor.fetchall())


def expected_search_text() -> dict[int, str]:
    """The columns lower-cased one by one by PostgreSQL, joined by the separator."""
    lowered = ", ".join(f"lower({name})" for name in SEARCHED_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {lowered} FROM events_event")  # noqa: S608 - constants
        return {pk: SEARCH_SEPARATOR.join(texts) for pk, *texts in cursor.fetchall()}


def test_save_and_delete_reach_the_index(group):
    event = EventFactory(group=group, title="Rust Meetup", description="Ownership")
    assert found("ownership") == {"Rust Meetup"}
    event.description = "Goroutines"
    event.save()
    assert found("ownership") == set()
    assert found("GOROUTINE") == {"Rust Meetup"}
    event.save(update_fields=["title"])  # the title unchanged: still found
    assert found("goroutine") == {"Rust Meetup"}
    event.delete()
    assert found("goroutine") == set()


def test_queryset_update_reaches_the_index(group):
    EventFactory(group=group, title="Kansai Python", catch="Snakes")
    Event.objects.filter(title="Kansai Python").update(catch="機械学習の夕べ", address="大阪府")
    assert found("snakes") == set()
    assert found("機械学習") == {"Kansai Python"}
    assert found("大阪府") == {"Kansai Python"}


def test_bulk_create_and_bulk_update_reach_the_index(group):
    created = Event.objects.bulk_create(
        [
            new_event(group, "Bulk One", description="Deep Learning"),
            new_event(group, "Bulk Two", address="京都府京都市"),
        ]
    )
    assert found("deep learning") == {"Bulk One"}
    assert found("京都市") == {"Bulk Two"}
    events = list(Event.objects.filter(pk__in=[event.pk for event in created]).order_by("pk"))
    events[0].description = "Statistics"
    events[1].address = "Sapporo"
    Event.objects.bulk_update(events, ["description", "address"])
    assert found("deep learning") == set()
    assert found("京都市") == set()
    assert found("statistics") == {"Bulk One"}
    assert found("SAPPORO") == {"Bulk Two"}


@postgres_only
def test_search_text_is_the_lowered_columns_after_every_write_path(group):
    event = EventFactory(group=group, title="ＡＢＣ Σ İstanbul", catch="Straße")
    Event.objects.bulk_create([new_event(group, "Bulk ÀÉ", description="MiXeD\nCase")])
    Event.objects.filter(pk=event.pk).update(address="TOKYO 渋谷")
    bulk = Event.objects.get(title="Bulk ÀÉ")
    bulk.description = "Ｆｕｌｌ　ｗｉｄｔｈ"
    Event.objects.bulk_update([bulk], ["description"])
    assert stored_search_text() == expected_search_text()


@postgres_only
@pytest.mark.parametrize(
    "keyword",
    [
        "abc",
        "ＡＢＣ",
        "ａｂｃ",
        "σ",
        "Σ",
        "istanbul",
        "i̇stanbul",
        "STRASSE",
        "straße",
        "àé",
        "mixed\ncase",
        "ｆｕｌｌ",
        "渋谷",
        "tokyo",
        "t",
        "%",
        "_",
        "\\",
        "Σ straße",
    ],
)
def test_the_same_matches_as_ilike_on_each_column(group, keyword):
    EventFactory(group=group, title="ＡＢＣ Σ İstanbul", catch="Straße", address="TOKYO 渋谷")
    Event.objects.bulk_create(
        [
            new_event(group, "Bulk ÀÉ", description="MiXeD\nCase 100% a_b C:\\path"),
            new_event(group, "Ｆｕｌｌ　ｗｉｄｔｈ", catch="ｔｏｋｙｏ"),
        ]
    )
    old = set(Event.objects.filter(_ilike_columns_q(keyword)).values_list("title", flat=True))
    assert found(keyword) == old


def test_no_match_across_two_columns(group):
    EventFactory(group=group, title="Foo", catch="Bar", description="Baz", address="Qux")
    assert found("foobar") == set()
    assert found("barbaz") == set()
    assert found("bazqux") == set()
    assert found("foo", "qux") == {"Foo"}


def test_a_keyword_with_the_separator_is_taken_literally(group):
    EventFactory(group=group, title="Foo", catch="Bar")
    EventFactory(group=group, title="Control", description=f"x{SEARCH_SEPARATOR}y")
    assert found(f"foo{SEARCH_SEPARATOR}bar") == set()
    assert found(f"X{SEARCH_SEPARATOR}Y") == {"Control"}
    assert found(SEARCH_SEPARATOR) == {"Control"}
