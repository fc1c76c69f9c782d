"""Query-count guards: every list endpoint takes as many queries for 12 rows as for 2."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kaisai.registrations.enums import Method
from kaisai.registrations.services import register as register_one
from tests.api.v2.factories import checked_in, frame, register
from tests.factories import EventFactory, GroupFactory, MemberFactory, UserFactory
from tests.talks.factories import MaterialFactory, SpeakerFactory, TalkFactory


def queries(v2, path: str, params: dict | None = None) -> int:
    params = {"count": 100, **(params or {})}
    v2.get(path, params)  # warm-up: the token's last_used_at is written once a minute
    with CaptureQueriesContext(connection) as captured:
        response = v2.get(path, params)
    assert response.status_code == 200
    return len(captured)


@pytest.fixture
def person(db):
    return UserFactory(nickname="person")


def add_events(person, count: int, offset: int) -> None:
    """Events with everything the Event object reads: frames of each method, waitlist,
    lottery applicants, owners from the group or the creator, check-ins and talks."""
    for n in range(count):
        owner = UserFactory(nickname=f"owner{offset + n}")
        group = GroupFactory(owner=owner)
        MemberFactory(group=group, user=person)
        event = EventFactory(group=group, created_by=owner if n % 2 else None)
        general = frame(event, capacity=1)
        register(general, 2, f"e{offset + n}-")
        register(
            frame(event, capacity=3, method=Method.LOTTERY, name="Lottery"), 1, f"l{offset + n}-"
        )
        checked_in(register_one(frame=general, user=person))
        TalkFactory(event=event, speaker=person)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v2/events/", {}),
        ("/api/v2/events/", {"keyword": "Event", "prefecture": "tokyo", "order": 2}),
        ("/api/v2/events/", {"nickname": "person", "ym": "209901,202001"}),
        ("/api/v2/users/person/attended_events/", {}),
        ("/api/v2/users/person/presenter_events/", {}),
        ("/api/v2/users/person/groups/", {}),
        ("/api/v2/groups/", {}),
    ],
)
def test_event_and_group_lists_do_not_grow_with_rows(v2, person, path, params):
    add_events(person, 2, 0)
    few = queries(v2, path, params)
    add_events(person, 10, 100)
    many = queries(v2, path, params)
    assert few == many


def test_event_list_query_budget(v2, person):
    add_events(person, 3, 0)
    # key, rate counter (in the database with the per-process cache), count, page, frames,
    # waiting counts, group owners
    assert queries(v2, "/api/v2/events/") <= 7


def test_users_list_does_not_grow_with_rows(v2, db):
    def add_people(count: int, offset: int) -> None:
        for n in range(count):
            someone = UserFactory(nickname=f"someone{offset + n}")
            group = GroupFactory(owner=someone)
            event = EventFactory(group=group)
            checked_in(register_one(frame=frame(event, capacity=3), user=someone))
            TalkFactory(event=event, speaker=someone)

    add_people(2, 0)
    few = queries(v2, "/api/v2/users/")
    add_people(10, 100)
    assert queries(v2, "/api/v2/users/") == few


def test_presentations_do_not_grow_with_rows(v2, db):
    event = EventFactory(group=GroupFactory())

    def add_materials(count: int) -> None:
        for _ in range(count):
            talk = TalkFactory(event=event, speaker=UserFactory())
            SpeakerFactory(talk=talk)
            MaterialFactory(talk=talk, event=event, added_by=UserFactory())
        MaterialFactory(talk=None, event=event)

    add_materials(2)
    path = f"/api/v2/events/{event.pk}/presentations/"
    few = queries(v2, path)
    add_materials(10)
    assert queries(v2, path) == few
