"""GET /api/v2/events/: every search parameter, the order, paging and bad parameters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from kaisai.accounts.models import User
from kaisai.events.enums import VenueKind
from kaisai.events.models import Event
from tests.api.v2.events_helpers import URL
from tests.api.v2.factories import (
    TOKYO_EVENING,
    checked_in,
    frame,
    past_event,
    register,
)
from tests.factories import EventFactory, GroupFactory, OrganizerFactory, UserFactory


def ids(body: dict) -> list[int]:
    return [event["id"] for event in body["events"]]


# --- parameters ---------------------------------------------------------------------------


@pytest.fixture
def three(mlct):
    return [past_event(group=mlct, title=f"MLCT #{n}") for n in (1, 2, 3)]


@pytest.mark.parametrize("style", ["repeated", "comma", "mixed"])
def test_event_id_repeated_comma_separated_or_mixed(v2, three, style):
    a, b, c = (event.pk for event in three)
    query = {
        "repeated": f"event_id={a}&event_id={c}",
        "comma": f"event_id={a},{c}",
        "mixed": f"event_id={a},{c}&event_id={a}",
    }[style]
    assert sorted(ids(v2.json(f"{URL}?{query}"))) == sorted([a, c])


def test_keyword_values_must_all_match(v2, mlct):
    both = past_event(group=mlct, title="Python と 機械学習")
    past_event(group=mlct, title="Python only")
    assert ids(v2.json(f"{URL}?keyword=python&keyword=機械学習")) == [both.pk]
    assert ids(v2.json(f"{URL}?keyword=python,機械学習")) == [both.pk]


def test_keyword_matches_catch_description_and_address(v2, mlct):
    in_catch = past_event(group=mlct, catch="deep learning night")
    in_description = past_event(group=mlct, description="We talk about **deep** nets.")
    in_address = past_event(group=mlct, address="Deepwater 1-1")
    past_event(group=mlct, title="Other", catch="", description="", address="")
    assert sorted(ids(v2.json(URL, {"keyword": "deep"}))) == sorted(
        [in_catch.pk, in_description.pk, in_address.pk]
    )


def test_keyword_or_any_value_may_match(v2, mlct):
    python = past_event(group=mlct, title="Python night")
    ruby = past_event(group=mlct, title="Ruby night")
    past_event(group=mlct, title="Go night")
    assert sorted(ids(v2.json(f"{URL}?keyword_or=python&keyword_or=ruby"))) == sorted(
        [python.pk, ruby.pk]
    )
    assert sorted(ids(v2.json(f"{URL}?keyword_or=python,ruby"))) == sorted([python.pk, ruby.pk])


def test_ym_and_ymd_select_held_month_and_day_in_japan(v2, mlct):
    # 2025-04-30 23:30 in Tokyo is still April there (UTC says 14:30 on the 30th).
    april = past_event(group=mlct, starts_at=datetime(2025, 4, 30, 14, 30, tzinfo=UTC))
    # 2025-05-01 00:30 in Tokyo is May 1st, though UTC still says April 30th.
    may = past_event(group=mlct, starts_at=datetime(2025, 4, 30, 15, 30, tzinfo=UTC))
    june = past_event(group=mlct, starts_at=datetime(2025, 6, 2, 10, 0, tzinfo=UTC))

    assert ids(v2.json(URL, {"ym": "202504"})) == [april.pk]
    assert sorted(ids(v2.json(f"{URL}?ym=202505,202506"))) == sorted([may.pk, june.pk])
    assert ids(v2.json(URL, {"ymd": "20250501"})) == [may.pk]
    assert sorted(ids(v2.json(f"{URL}?ymd=20250430&ymd=20250602"))) == sorted([april.pk, june.pk])


def test_ym_december_reaches_into_january(v2, mlct):
    december = past_event(group=mlct, starts_at=datetime(2025, 12, 31, 10, 0, tzinfo=UTC))
    past_event(group=mlct, starts_at=datetime(2026, 1, 1, 10, 0, tzinfo=UTC))
    assert ids(v2.json(URL, {"ym": "202512"})) == [december.pk]


def test_publish_ym_and_publish_ymd(v2, mlct):
    march = past_event(group=mlct, published_at=datetime(2025, 3, 10, 1, 0, tzinfo=UTC))
    april = past_event(group=mlct, published_at=datetime(2025, 4, 2, 1, 0, tzinfo=UTC))
    past_event(group=mlct, published_at=None)
    assert ids(v2.json(URL, {"publish_ym": "202503"})) == [march.pk]
    assert ids(v2.json(URL, {"publish_ymd": "20250402"})) == [april.pk]
    assert sorted(ids(v2.json(URL, {"publish_ym": "202503,202504"}))) == sorted(
        [march.pk, april.pk]
    )


def test_nickname_finds_events_the_person_attended(v2, mlct):
    event = EventFactory(group=mlct)
    other = EventFactory(group=mlct)
    attendee, _no_show = register(frame(event, capacity=5), 2, "att")
    register(frame(other, capacity=5), 1, "att")  # att0 registered there but never came
    checked_in(attendee)
    assert ids(v2.json(URL, {"nickname": "att0"})) == []  # hidden by default
    User.objects.filter(nickname="att0").update(show_in_lists=True)  # chose to appear

    assert ids(v2.json(URL, {"nickname": "att0"})) == [event.pk]
    assert ids(v2.json(URL, {"nickname": "att1"})) == []


def test_nickname_of_the_key_owner_also_finds_own_accepted_registrations(v2, reader, mlct):
    from kaisai.registrations.services import register as register_one

    event = EventFactory(group=mlct)
    register_one(frame=frame(event, capacity=5), user=reader)
    assert ids(v2.json(URL, {"nickname": "reader"})) == [event.pk]


def test_owner_nickname_finds_events_of_groups_the_person_organizes(v2, mlct):
    mine = past_event(group=mlct)
    helper = UserFactory(nickname="helper")
    OrganizerFactory(group=mlct, user=helper)
    reception_only = GroupFactory()
    OrganizerFactory(group=reception_only, user=helper, role="reception")
    past_event(group=reception_only)
    past_event(group=GroupFactory())

    assert ids(v2.json(URL, {"owner_nickname": "hiroshi_tanaka"})) == [mine.pk]
    assert ids(v2.json(URL, {"owner_nickname": "helper"})) == [mine.pk]


def test_group_id_and_subdomain(v2, mlct):
    other = GroupFactory(slug="pyladies")
    ours = past_event(group=mlct)
    theirs = past_event(group=other)
    past_event(group=GroupFactory(slug="third"))

    assert ids(v2.json(URL, {"group_id": mlct.pk})) == [ours.pk]
    assert sorted(ids(v2.json(f"{URL}?group_id={mlct.pk},{other.pk}"))) == sorted(
        [ours.pk, theirs.pk]
    )
    assert ids(v2.json(URL, {"subdomain": "pyladies"})) == [theirs.pk]
    assert sorted(ids(v2.json(f"{URL}?subdomain=mlct&subdomain=pyladies"))) == sorted(
        [ours.pk, theirs.pk]
    )


def test_prefecture_and_online(v2, mlct):
    tokyo = past_event(group=mlct, prefecture="tokyo")
    osaka = past_event(group=mlct, prefecture="osaka")
    online = past_event(group=mlct, prefecture="", venue_kind=VenueKind.ONLINE, address="")

    assert ids(v2.json(URL, {"prefecture": "tokyo"})) == [tokyo.pk]
    assert sorted(ids(v2.json(f"{URL}?prefecture=osaka&prefecture=online"))) == sorted(
        [osaka.pk, online.pk]
    )
    assert sorted(ids(v2.json(f"{URL}?prefecture=tokyo,osaka"))) == sorted([tokyo.pk, osaka.pk])


def test_different_parameters_are_anded(v2, mlct):
    match = past_event(group=mlct, title="Python", prefecture="tokyo")
    past_event(group=mlct, title="Python", prefecture="osaka")
    past_event(group=GroupFactory(), title="Python", prefecture="tokyo")
    assert ids(v2.json(URL, {"keyword": "python", "prefecture": "tokyo", "subdomain": "mlct"})) == [
        match.pk
    ]


@pytest.fixture
def ordered(mlct):
    """a: updated last, starts first, published second; b: …; c: …"""
    now = timezone.now()
    a = past_event(group=mlct, starts_at=TOKYO_EVENING)
    b = past_event(group=mlct, starts_at=TOKYO_EVENING + timedelta(days=60))
    c = past_event(group=mlct, starts_at=TOKYO_EVENING + timedelta(days=30))
    for event, updated, published in ((a, 0, 2), (b, 2, 1), (c, 1, 0)):
        Event.objects.filter(pk=event.pk).update(
            updated_at=now - timedelta(days=updated),
            published_at=now - timedelta(days=10 + published),
        )
    return a, b, c


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        (None, "acb"),  # default 1: updated, latest first
        ("1", "acb"),
        ("2", "bca"),  # start time, latest first (as connpass)
        ("3", "cba"),  # newest: published, latest first
        ("EventOrder.UPDATED_AT", "acb"),  # what the PyPI client `connpass` sends
        ("EventOrder.STARTED_AT", "bca"),
        ("EventOrder.CREATED_AT", "cba"),
        ("started_at", "bca"),
        ("newest", "cba"),
    ],
)
def test_order_numbers_and_client_names(v2, ordered, order, expected):
    names = dict(zip((event.pk for event in ordered), "abc", strict=True))
    params = {"order": order} if order else {}
    assert "".join(names[pk] for pk in ids(v2.json(URL, params))) == expected


def test_start_and_count_page_through_results(v2, mlct):
    events = [past_event(group=mlct, starts_at=TOKYO_EVENING + timedelta(days=n)) for n in range(5)]
    newest_first = [event.pk for event in reversed(events)]

    body = v2.json(URL, {"order": 2, "start": 2, "count": 2})
    assert ids(body) == newest_first[1:3]
    assert (body["results_returned"], body["results_available"], body["results_start"]) == (
        2,
        5,
        2,
    )
    beyond = v2.json(URL, {"order": 2, "start": 9})
    assert beyond["events"] == [] and beyond["results_available"] == 5
    assert beyond["results_start"] == 9


def test_default_page_is_ten_and_count_is_capped_at_100(v2, mlct):
    for n in range(12):
        past_event(group=mlct, starts_at=TOKYO_EVENING + timedelta(days=n))
    assert v2.json(URL)["results_returned"] == 10
    assert v2.json(URL, {"count": 1000})["results_returned"] == 12


def test_no_match_is_200_with_an_empty_list(v2, db):
    body = v2.json(URL, {"keyword": "nothing-like-this"})
    assert body == {
        "results_returned": 0,
        "results_available": 0,
        "results_start": 1,
        "events": [],
    }


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("count=0", "count"),
        ("count=-5", "count"),
        ("count=ten", "count"),
        ("start=0", "start"),
        ("ym=12-04", "ym"),
        ("ym=202513", "ym"),
        ("ymd=20250230", "ymd"),
        ("ymd=2025-04-01", "ymd"),
        ("publish_ym=2025", "publish_ym"),
        ("publish_ymd=x", "publish_ymd"),
        ("event_id=abc", "event_id"),
        ("group_id=1,x", "group_id"),
        ("prefecture=mars", "prefecture"),
        ("order=9", "order"),
        ("order=EventOrder.SOMETHING", "order"),
    ],
)
def test_bad_parameters_are_400_with_the_field_named(v2, db, query, field):
    response = v2.get(f"{URL}?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["reason"] == "invalid"
    assert isinstance(body["detail"], str)
    assert list(body["errors"]) == [field]


@pytest.mark.parametrize("path", ["/api/v2/events/", "/api/v2/events"])
def test_both_slash_forms_answer_200_without_redirect(v2, three, path):
    response = v2.get(path, {"event_id": three[0].pk})
    assert response.status_code == 200
    assert ids(response.json()) == [three[0].pk]
