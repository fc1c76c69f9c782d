"""The event-search selector on both databases: keywords through the trigram indexes (FTS5 on
SQLite, pg_trgm on PostgreSQL), short keywords, hostile input, and every other criterion."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection

from kaisai.events.enums import EventStatus, VenueKind
from kaisai.events.models import Event
from kaisai.events.search import EventQuery, fts5_string, like_pattern, search_events
from kaisai.groups.enums import Role
from kaisai.groups.models import Organizer
from kaisai.registrations import services as registrations
from kaisai.registrations.enums import Method
from tests.factories import EventFactory, GroupFactory, UserFactory

pytestmark = pytest.mark.django_db


def titles(query: EventQuery) -> list[str]:
    return list(search_events(query).values_list("title", flat=True))


def found(**criteria) -> set[str]:
    return set(titles(EventQuery(**criteria)))


@pytest.fixture
def corpus(group):
    """Events in Japanese and English, in person, online and hybrid, on different days."""
    start = datetime(2030, 6, 1, 10, 0, tzinfo=UTC)

    def make(title, days, **fields):
        fields.setdefault("group", group)
        return EventFactory(
            title=title,
            starts_at=start + timedelta(days=days),
            ends_at=start + timedelta(days=days, hours=2),
            **fields,
        )

    return {
        "ml": make(
            "はじめての機械学習入門",
            0,
            catch="Pythonで学ぶ",
            description="深層学習もやります",
            hashtag="mlct",
        ),
        "rust": make(
            "Rust Meetup Tokyo",
            1,
            catch="Systems programming",
            description="Ownership and **borrowing**.",
        ),
        "online": make(
            "Online LT night",
            2,
            venue_kind=VenueKind.ONLINE,
            prefecture="",
            place="",
            address="",
            description="機械学習 lightning talks, 100% remote",
        ),
        "osaka": make(
            "Kansai Python",
            3,
            prefecture="osaka",
            address="大阪府大阪市北区梅田1-1",
            description='Say "hello" to AI_tools; C:\\path',
        ),
        "hybrid": make(
            "AI 勉強会",
            4,
            venue_kind=VenueKind.HYBRID,
            prefecture="kanagawa",
            address="神奈川県横浜市",
            hashtag="ai_study",
        ),
        "draft": make("機械学習 draft", 5, status=EventStatus.DRAFT),
        "cancelled": make("機械学習 cancelled", 6, status=EventStatus.CANCELLED),
    }


# --- keywords -------------------------------------------------------------------------------


def test_japanese_keyword_without_spaces_matches_inside_text(corpus):
    assert found(keywords=["機械学習"]) == {
        "はじめての機械学習入門",
        "Online LT night",
        "機械学習 cancelled",
    }


def test_japanese_keyword_in_catch_description_and_address(corpus):
    assert found(keywords=["で学ぶ"]) == {"はじめての機械学習入門"}
    assert found(keywords=["深層学習"]) == {"はじめての機械学習入門"}
    assert found(keywords=["大阪市"]) == {"Kansai Python"}


def test_english_keyword_is_case_insensitive(corpus):
    assert found(keywords=["rust"]) == {"Rust Meetup Tokyo"}
    assert found(keywords=["RUST"]) == {"Rust Meetup Tokyo"}
    assert found(keywords=["oWnErShIp"]) == {"Rust Meetup Tokyo"}
    assert found(keywords=["python"]) == {"はじめての機械学習入門", "Kansai Python"}


def test_keyword_matches_inside_words(corpus):
    assert found(keywords=["eetu"]) == {"Rust Meetup Tokyo"}


def test_drafts_are_never_found(corpus):
    assert "機械学習 draft" not in found(keywords=["draft"])
    assert "機械学習 draft" not in found()


def test_two_character_keywords_use_like(corpus):
    assert found(keywords=["AI"]) == {"AI 勉強会", "Kansai Python"}  # "AI_tools"
    assert found(keywords=["ai"]) >= {"AI 勉強会"}
    assert found(keywords=["機械"]) == {
        "はじめての機械学習入門",
        "Online LT night",
        "機械学習 cancelled",
    }
    assert found(keywords=["勉強"]) == {"AI 勉強会"}


def test_one_character_keyword(corpus):
    assert found(keywords=["梅"]) == {"Kansai Python"}


def test_all_keywords_must_match(corpus):
    assert found(keywords=["機械学習", "python"]) == {"はじめての機械学習入門"}
    assert found(keywords=["機械学習", "LT"]) == {"Online LT night"}
    assert found(keywords=["rust", "python"]) == set()


def test_any_keyword_may_match(corpus):
    assert found(keywords_or=["rust", "Kansai"]) == {"Rust Meetup Tokyo", "Kansai Python"}
    assert found(keywords_or=["rust", "AI"]) == {"Rust Meetup Tokyo", "AI 勉強会", "Kansai Python"}


def test_and_with_or(corpus):
    assert found(keywords=["python"], keywords_or=["大阪", "深層"]) == {
        "はじめての機械学習入門",
        "Kansai Python",
    }
    assert found(keywords=["python"], keywords_or=["大阪"]) == {"Kansai Python"}


def test_blank_keywords_are_ignored(corpus):
    assert found(keywords=["", "  "]) == found()


@pytest.mark.parametrize(
    "hostile",
    [
        '"',
        '""',
        '"hello"',
        'hello" OR "rust',
        "rust OR python",
        "NOT rust",
        "rust*",
        "title:rust",
        "(rust",
        "NEAR(rust python)",
        "^rust",
        "'; DROP TABLE events_event; --",
        "%%%",
        "100%",
        "AI_t",
        "_",
        "%",
        "\\",
        "C:\\path",
        "{title}: rust",
        "\x00abc",
    ],
)
def test_fts_and_like_syntax_in_keywords_is_taken_literally(corpus, hostile):
    result = found(keywords=[hostile])  # never an error
    literal = {
        '"hello"': {"Kansai Python"},
        "100%": {"Online LT night"},
        "AI_t": {"Kansai Python"},
        "C:\\path": {"Kansai Python"},
        '"': {"Kansai Python"},
    }
    if hostile in literal:
        assert result == literal[hostile]
    elif hostile in ("_", "%", "\\"):
        expected = {"Kansai Python"} if hostile in ("_", "\\") else {"Online LT night"}
        assert result == expected
    else:
        assert result == set()
    assert found(keywords_or=[hostile, "rust"]) >= {"Rust Meetup Tokyo"}


def test_fts5_string_and_like_pattern_escape():
    assert fts5_string('a"b') == '"a""b"'
    assert like_pattern("50%_\\") == "%50\\%\\_\\\\%"


def test_edits_reach_the_index(corpus):
    event = corpus["rust"]
    event.title = "Go Meetup"
    event.description = "goroutines"
    event.save()
    assert found(keywords=["rust"]) == set()
    assert found(keywords=["goroutine"]) == {"Go Meetup"}
    event.delete()
    assert found(keywords=["goroutine"]) == set()


# --- other criteria -------------------------------------------------------------------------


def test_prefecture_and_online(corpus):
    assert found(prefectures=["osaka"]) == {"Kansai Python"}
    assert found(prefectures=["online"]) == {"Online LT night", "AI 勉強会"}
    assert found(prefectures=["osaka", "online"]) == {
        "Kansai Python",
        "Online LT night",
        "AI 勉強会",
    }
    assert found(keywords=["python"], prefectures=["tokyo"]) == {"はじめての機械学習入門"}


def test_date_range_is_inclusive_in_the_current_time_zone(corpus, settings):
    # Events start at 19:00 in Tokyo, on 2030-06-01 … 2030-06-07.
    assert found(starts_from=date(2030, 6, 2), starts_until=date(2030, 6, 3)) == {
        "Rust Meetup Tokyo",
        "Online LT night",
    }
    assert found(starts_until=date(2030, 6, 1)) == {"はじめての機械学習入門"}
    assert "機械学習 cancelled" in found(starts_from=date(2030, 6, 7))


def test_months_and_days(corpus):
    assert len(found(months=["203006"])) == 6
    assert found(months=["203007"]) == set()
    assert found(days=["20300602", "20300604"]) == {"Rust Meetup Tokyo", "Kansai Python"}
    assert found(days=["garbage"]) == set()


def test_group_by_id_and_slug(corpus):
    other = GroupFactory(slug="pyosaka")
    EventFactory(group=other, title="Other group's Python")
    assert found(group_slugs=["pyosaka"]) == {"Other group's Python"}
    assert found(group_ids=[other.pk], keywords=["python"]) == {"Other group's Python"}
    assert "Other group's Python" not in found(group_slugs=[corpus["ml"].group.slug])


def test_tag(corpus):
    assert found(tags=["mlct"]) == {"はじめての機械学習入門"}
    assert found(tags=["#ai_study", "mlct"]) == {"はじめての機械学習入門", "AI 勉強会"}


def test_participant_and_owner_nicknames(corpus, organizer):
    person = UserFactory(nickname="alice")
    frame = registrations.create_frame(
        event=corpus["rust"], by=organizer, capacity=5, method=Method.FIRST_COME, name="General"
    )
    registrations.register(frame=frame, user=person)
    assert found(participant_nicknames=["alice"]) == {"Rust Meetup Tokyo"}
    helper = UserFactory(nickname="helper")
    Organizer.objects.create(group=corpus["ml"].group, user=helper, role=Role.RECEPTION)
    assert found(owner_nicknames=["helper"]) == set()
    assert len(found(owner_nicknames=[organizer.nickname])) == 6


def test_order(corpus):
    assert titles(EventQuery(keywords=["機械学習"]))[0] == "はじめての機械学習入門"
    assert titles(EventQuery(keywords=["機械学習"], order="start_desc"))[0] == "機械学習 cancelled"


# --- the index is what answers --------------------------------------------------------------


def _plan(query: EventQuery) -> str:
    queryset = search_events(query)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A test table is tiny: without a sequential scan, and with the status index made
            # as unattractive as on a real table (it selects nearly every row), the planner
            # shows which index answers the keyword.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL cpu_operator_cost = 1")
        sql, params = queryset.query.sql_with_params()
        prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        cursor.execute(prefix + sql, params)
        return "\n".join(" ".join(str(col) for col in row) for row in cursor.fetchall())


def test_explain_shows_the_trigram_index(corpus, group):
    # Enough listed events that the status index is no shortcut, and fresh statistics.
    start = datetime(2031, 1, 1, tzinfo=UTC)
    Event.objects.bulk_create(
        Event(
            group=group,
            title=f"Filler {n}",
            description="Nothing to see",
            status=EventStatus.PUBLISHED,
            starts_at=start,
            ends_at=start,
        )
        for n in range(300)
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Earlier tests' rolled-back events stay in the GIN index's pending list until a
            # VACUUM (never inside the test transaction), which makes the index look costly.
            cursor.execute("SELECT gin_clean_pending_list('event_search_text_trgm'::regclass)")
        cursor.execute("ANALYZE events_event" if connection.vendor == "postgresql" else "ANALYZE")
    plan = _plan(EventQuery(keywords=["機械学習"]))
    with_place = _plan(EventQuery(keywords=["機械学習"], prefectures=["tokyo"]))
    if connection.vendor == "sqlite":
        assert "event_fts VIRTUAL TABLE INDEX" in plan, plan
        assert "event_fts VIRTUAL TABLE INDEX" in with_place, with_place
    else:
        assert "Bitmap Index Scan on event_search_text_trgm" in plan, plan
        assert "ILIKE" not in plan and "~~*" not in plan, plan  # the lowered copy, no ILIKE
        # With a prefecture the planner may start from the prefecture index instead (the one
        # that fits a rare prefecture); either way no table is scanned whole.
        assert "Seq Scan on events_event" not in with_place, with_place
        assert "_trgm" in with_place or "event_prefecture" in with_place, with_place


def test_the_index_exists_after_all_migrations():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            triggers = {row[0] for row in cursor.fetchall()}
            assert {"event_fts_insert", "event_fts_update", "event_fts_delete"} <= triggers
        else:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'events_event'")
            indexes = {row[0] for row in cursor.fetchall()}
            assert "event_search_text_trgm" in indexes
            # The four per-column indexes of 0004 were replaced by it (0007).
            assert not {f"event_{c}_trgm" for c in ("title", "catch", "description", "address")} & (
                indexes
            )


def test_ends_from_and_ends_before(corpus):
    # The corpus's events end at 12:00 UTC on 2030-06-01 … 2030-06-07.
    moment = datetime(2030, 6, 3, 12, 0, tzinfo=UTC)
    assert found(ends_before=moment) == {"はじめての機械学習入門", "Rust Meetup Tokyo"}
    assert found(ends_from=moment, keywords=["機械学習"]) == {
        "Online LT night",
        "機械学習 cancelled",
    }
