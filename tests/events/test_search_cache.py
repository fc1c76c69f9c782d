"""The search cache (`events.search_cache`, migration events.0009): a cached answer is the
uncached one; every kind of write to events and groups is seen by the very next search, whoever
writes (services, `QuerySet.update`, bulk writes, raw SQL, a rolled-back transaction); what
changes with time is never cached; the triggers exist after all migrations. The control test
drops the triggers and shows the stale answer that they prevent."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.db import connection, transaction
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kaisai.accounts.services import create_api_token
from kaisai.api.v2 import selectors_page
from kaisai.api.v2.params import event_params
from kaisai.events import search_cache
from kaisai.events.enums import EventStatus
from kaisai.events.models import Event
from kaisai.events.search import EventQuery, search_events
from kaisai.events.services import (
    cancel_event,
    create_event,
    publish_event,
    update_event,
)
from kaisai.groups.models import Group
from kaisai.registrations.models import Frame
from tests.api.v2.conftest import V2Client
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db

START = datetime(2030, 6, 1, 10, 0, tzinfo=UTC)
RUST = EventQuery(keywords=["rust"], prefectures=["tokyo"])
TRIGGER_NAMES = {
    "postgresql": {"events_event_search_version", "groups_group_search_version"},
    "sqlite": {
        f"{table}_search_version_{action}"
        for table in ("events_event", "groups_group")
        for action in ("insert", "update", "delete")
    },
}


@pytest.fixture
def rust(group):
    """Five public Rust events in Tokyo (one in Osaka, one draft, one without the keyword)."""
    events = [
        EventFactory(group=group, title=f"Rust night {n}", starts_at=START + timedelta(days=n))
        for n in range(5)
    ]
    EventFactory(group=group, title="Rust in Osaka", prefecture="osaka", starts_at=START)
    EventFactory(group=group, title="Rust draft", status=EventStatus.DRAFT, starts_at=START)
    EventFactory(group=group, title="Go night", starts_at=START)
    return events


def page_ids(query: EventQuery = RUST, offset: int = 0, limit: int = 31) -> list[int]:
    """The search page's events (through the cache when the query has keywords)."""
    return [event.pk for event in search_cache.search_page(query, offset, limit)]


def uncached_ids(query: EventQuery = RUST, offset: int = 0, limit: int = 31) -> list[int]:
    return list(search_events(query).values_list("id", flat=True)[offset : offset + limit])


V2_QUERY = "keyword=rust&prefecture=tokyo&count=3&order=1"


def v2_page(reader, query: str = V2_QUERY) -> tuple[list[int], int]:
    """API v2's ids and results_available of a keyword search (through the cache)."""
    return selectors_page.keyword_page(event_params(QueryDict(query)), viewer=reader)


@contextmanager
def no_cache():
    """The search without the cache (nothing is cacheable): the reference answers."""
    with mock.patch.object(search_cache, "cacheable", return_value=False):
        yield


@pytest.fixture
def reader(db):
    return UserFactory(nickname="reader")


@pytest.fixture
def v2(reader, settings):
    settings.KAISAI_API_V2_RATE = "100000/s"
    _, key = create_api_token(user=reader, name="tests")
    return V2Client(key)


def both_answers(reader) -> tuple:
    return page_ids(), v2_page(reader)


def expected_answers(reader) -> tuple:
    with no_cache():
        return both_answers(reader)


# --- a cached answer is the uncached one ---------------------------------------------------------


def test_cached_answer_equals_the_uncached_one(rust, reader):
    first = both_answers(reader)
    assert first == expected_answers(reader)
    assert both_answers(reader) == first  # from the cache
    assert first[1][1] == 5


def test_a_repeated_search_is_answered_from_the_cache(rust, reader):
    page_ids()
    v2_page(reader)
    with CaptureQueriesContext(connection) as queries:
        page_ids()
        v2_page(reader)
    statements = [query["sql"] for query in queries.captured_queries]
    # The version twice, the page's events by id once: the search itself did not run.
    assert sum("events_search_version" in sql for sql in statements) == 2
    assert len(statements) == 3


@pytest.mark.parametrize(
    "query",
    [
        "keyword=rust&prefecture=tokyo&count=2&start=3",
        "keyword=rust&count=100&order=2",
        "keyword=rust&keyword_or=night,osaka&order=3",
        "keyword_or=rust,go&count=4&start=2",
        "keyword=rust&ym=203006&count=10",
        "keyword=rust&count=5&start=50",  # past the end: counted apart
    ],
)
def test_cached_api_v2_pages_equal_the_uncached_ones(rust, v2, query):
    with no_cache():
        uncached_body = v2.json("/api/v2/events/", QueryDict(query))
    assert v2.json("/api/v2/events/", QueryDict(query)) == uncached_body  # a miss, stored
    assert v2.json("/api/v2/events/", QueryDict(query)) == uncached_body  # a hit


def test_cached_search_page_equals_the_uncached_one(rust, client):
    params = {"q": "rust night", "prefecture": "tokyo"}
    with no_cache():
        reference = client.get("/events/search/", params)
    first = client.get("/events/search/", params)
    again = client.get("/events/search/", params)
    assert reference.status_code == first.status_code == again.status_code == 200
    assert len(reference.context["events"]) == 5
    assert first.content == reference.content == again.content


# --- every write is seen by the next search ------------------------------------------------------


def _create_and_publish(rust, group, organizer):
    event = create_event(
        group=group, by=organizer, title="Rust new", starts_at=START, ends_at=START,
        prefecture="tokyo",
    )  # fmt: skip
    publish_event(event=event, by=organizer)


def _edit_title(rust, group, organizer):
    update_event(event=rust[0], by=organizer, title="Go night 2")


def _publish_draft(rust, group, organizer):
    publish_event(event=Event.objects.get(title="Rust draft"), by=organizer)


def _cancel(rust, group, organizer):
    cancel_event(event=rust[2], by=organizer)  # still listed, but updated now: first by update


def _delete(rust, group, organizer):
    rust[1].delete()


def _queryset_update(rust, group, organizer):
    Event.objects.filter(pk=rust[3].pk).update(prefecture="osaka")


def _queryset_delete(rust, group, organizer):
    Event.objects.filter(pk=rust[4].pk).delete()


def _bulk_create(rust, group, organizer):
    Event.objects.bulk_create(
        [Event(group=group, title="Rust bulk", status=EventStatus.PUBLISHED, starts_at=START,
               ends_at=START, prefecture="tokyo", number=99)]
    )  # fmt: skip


def _bulk_update(rust, group, organizer):
    rust[0].updated_at = timezone.now() + timedelta(days=1)
    Event.objects.bulk_update([rust[0]], ["updated_at"])


def _raw_sql(rust, group, organizer):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE events_event SET status = %s WHERE id = %s", [EventStatus.DRAFT, rust[1].pk]
        )


WRITES: dict[str, Callable] = {
    "create+publish (services)": _create_and_publish,
    "edit (service)": _edit_title,
    "publish a draft (service)": _publish_draft,
    "cancel (service)": _cancel,
    "delete (model)": _delete,
    "QuerySet.update": _queryset_update,
    "QuerySet.delete": _queryset_delete,
    "bulk_create": _bulk_create,
    "bulk_update": _bulk_update,
    "raw SQL UPDATE": _raw_sql,
}


@pytest.mark.parametrize("write", list(WRITES.values()), ids=list(WRITES))
def test_every_write_is_seen_by_the_next_search(rust, group, organizer, reader, write):
    before = both_answers(reader)
    assert both_answers(reader) == before  # cached now
    write(rust, group, organizer)
    after = both_answers(reader)
    assert after == expected_answers(reader)
    assert after != before


@pytest.mark.parametrize("how", ["queryset", "raw", "model"])
def test_a_group_renamed_is_seen_by_the_group_filter(rust, group, how):
    query = dataclasses.replace(RUST, group_slugs=[group.slug])
    assert len(page_ids(query)) == 5
    old = group.slug
    if how == "queryset":
        Group.objects.filter(pk=group.pk).update(slug="renamed")
    elif how == "raw":
        with connection.cursor() as cursor:
            cursor.execute("UPDATE groups_group SET slug = 'renamed' WHERE id = %s", [group.pk])
    else:
        group.slug = "renamed"
        group.save()
    assert page_ids(query) == [] == uncached_ids(dataclasses.replace(RUST, group_slugs=[old]))
    assert len(page_ids(dataclasses.replace(RUST, group_slugs=["renamed"]))) == 5


def test_a_write_rolled_back_is_not_remembered(rust, reader):
    before = both_answers(reader)
    with pytest.raises(RuntimeError), transaction.atomic():
        Event.objects.filter(pk=rust[0].pk).update(title="Go away")
        inside = both_answers(reader)  # computed and cached inside the transaction
        assert inside != before
        raise RuntimeError("roll back")
    assert both_answers(reader) == before == expected_answers(reader)


def test_without_the_triggers_a_write_is_not_seen(rust, reader):
    """The control: the cache is really used, and the triggers are what keeps it exact."""
    before = both_answers(reader)
    with connection.cursor() as cursor:
        for name in TRIGGER_NAMES[connection.vendor]:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER {name} ON {name.removesuffix('_search_version')}")
            else:
                cursor.execute(f"DROP TRIGGER {name}")
    Event.objects.filter(pk=rust[0].pk).update(title="Go away")
    assert both_answers(reader) == before != expected_answers(reader)


# --- time ------------------------------------------------------------------------------------


def test_what_reads_the_clock_is_not_cached():
    assert search_cache.cacheable(RUST)
    now = timezone.now()
    for changed in (
        {"ends_from": now},
        {"ends_before": now},
        {"participant_nicknames": ["someone"]},
        {"owner_nicknames": ["someone"]},
    ):
        assert not search_cache.cacheable(dataclasses.replace(RUST, **changed))


def test_time_passing_is_seen_by_a_cached_page(rust, v2):
    """The page's ids come from the cache; what changes with time (the open status) and the
    seat counts are read fresh."""
    frame = Frame.objects.create(
        event=rust[0], name="General", capacity=10, closes_at=START - timedelta(days=5)
    )

    def first_event() -> tuple[str, int, int]:
        body = v2.json("/api/v2/events/", QueryDict("keyword=rust&prefecture=tokyo&count=5"))
        event = next(e for e in body["events"] if e["id"] == rust[0].pk)
        return event["open_status"], event["limit"], body["results_available"]

    with time_machine.travel(START - timedelta(days=10)):
        assert first_event() == ("open", 10, 5)
        assert first_event() == ("open", 10, 5)  # a hit
    with time_machine.travel(START - timedelta(days=4)):
        Frame.objects.filter(pk=frame.pk).update(capacity=12)  # not a search write
        assert first_event() == ("close", 12, 5)


def test_the_current_time_zone_is_part_of_the_key(group):
    """Months are read in the current time zone: 2030-05-31 20:00 UTC is June in Tokyo."""
    late_may = datetime(2030, 5, 31, 20, 0, tzinfo=UTC)
    EventFactory(group=group, title="Rust late", starts_at=late_may, ends_at=late_may)
    june = EventQuery(keywords=["rust"], months=["203006"])
    with timezone.override("Asia/Tokyo"):
        assert len(page_ids(june)) == 1
    with timezone.override("UTC"):
        assert page_ids(june) == [] == uncached_ids(june)


# --- the triggers --------------------------------------------------------------------------------


def test_the_triggers_exist_after_all_migrations():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        names = {row[0] for row in cursor.fetchall()}
    assert TRIGGER_NAMES[connection.vendor] <= names
    assert search_cache.search_version() is not None


def test_every_write_statement_changes_the_version(rust):
    versions = {search_cache.search_version()}
    with transaction.atomic():
        for title in ("a", "b"):
            Event.objects.filter(pk=rust[0].pk).update(title=title)
            versions.add(search_cache.search_version())
    assert len(versions) == 3
