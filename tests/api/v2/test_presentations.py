"""GET /api/v2/events/{id}/presentations/: the materials of an event's talks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kaisai.events.enums import EventStatus
from kaisai.talks.enums import MaterialKind, TalkState
from kaisai.talks.models import Material, Speaker
from tests.api.v2.factories import past_event
from tests.factories import GroupFactory, UserFactory
from tests.talks.factories import MaterialFactory, TalkFactory

PRESENTATION_KEYS = {"user", "url", "name", "presenter", "presentation_type", "created_at"}


def url(event) -> str:
    return f"/api/v2/events/{event.pk}/presentations/"


@pytest.fixture
def event(db):
    return past_event(group=GroupFactory(slug="mlct"))


def test_presentation_object(v2, event):
    speaker = UserFactory(nickname="haru860")
    poster = UserFactory(nickname="organizer-x")
    talk = TalkFactory(event=event, title="推薦システム入門", speaker=speaker)
    material = MaterialFactory(
        talk=talk,
        event=event,
        url="https://speakerdeck.com/haru860/recsys",
        title="推薦システム入門 (slides)",
        added_by=poster,
    )
    Material.objects.filter(pk=material.pk).update(
        created_at=datetime(2025, 4, 29, 10, 44, 3, 123456, tzinfo=UTC)
    )

    body = v2.json(url(event))

    assert list(body) == [
        "results_returned",
        "results_available",
        "results_start",
        "presentations",
    ]
    assert (body["results_returned"], body["results_available"], body["results_start"]) == (
        1,
        1,
        1,
    )
    item = body["presentations"][0]
    assert set(item) == PRESENTATION_KEYS
    assert item == {
        "user": {"id": poster.pk, "nickname": "organizer-x"},
        "url": "https://speakerdeck.com/haru860/recsys",
        "name": "推薦システム入門 (slides)",
        "presenter": {"id": speaker.pk, "nickname": "haru860"},
        "presentation_type": "slide",
        "created_at": "2025-04-29T19:44:03+09:00",
    }


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (MaterialKind.SLIDE, "slide"),
        (MaterialKind.MOVIE, "movie"),
        (MaterialKind.BLOG, "blog"),
        (MaterialKind.OTHER, "blog"),  # connpass: "blog etc."
    ],
)
def test_presentation_type_is_one_of_the_three_connpass_knows(v2, event, kind, expected):
    MaterialFactory(talk=TalkFactory(event=event), event=event, kind=kind)
    assert v2.json(url(event))["presentations"][0]["presentation_type"] == expected


def test_event_material_without_talk_poster_or_speaker(v2, event):
    MaterialFactory(
        talk=None, event=event, url="https://youtube.com/watch?v=x", title="", added_by=None
    )
    item = v2.json(url(event))["presentations"][0]
    assert item["user"] is None and item["presenter"] is None
    assert item["name"] == "https://youtube.com/watch?v=x"  # a string, never null


def test_name_falls_back_to_the_talk_title(v2, event):
    MaterialFactory(talk=TalkFactory(event=event, title="LT: pandas"), event=event, title="")
    assert v2.json(url(event))["presentations"][0]["name"] == "LT: pandas"


def test_presenter_is_the_first_speaker_with_an_account(v2, event):
    talk = TalkFactory(event=event)
    Speaker.objects.create(talk=talk, name="Guest Speaker", order=0)
    second = UserFactory(nickname="second")
    Speaker.objects.create(talk=talk, user=second, order=1)
    MaterialFactory(talk=talk, event=event)
    assert v2.json(url(event))["presentations"][0]["presenter"] == {
        "id": second.pk,
        "nickname": "second",
    }


def test_materials_of_talks_not_accepted_are_left_out(v2, event):
    shown = MaterialFactory(talk=TalkFactory(event=event), event=event)
    for state in (TalkState.PROPOSED, TalkState.REJECTED, TalkState.WITHDRAWN):
        MaterialFactory(talk=TalkFactory(event=event, state=state), event=event)
    body = v2.json(url(event))
    assert [item["url"] for item in body["presentations"]] == [shown.url]
    assert body["results_available"] == 1


def test_oldest_first_with_start_and_count(v2, event):
    materials = [MaterialFactory(talk=TalkFactory(event=event), event=event) for _ in range(5)]
    body = v2.json(url(event), {"start": 2, "count": 2})
    assert [item["url"] for item in body["presentations"]] == [m.url for m in materials[1:3]]
    assert (body["results_returned"], body["results_available"], body["results_start"]) == (
        2,
        5,
        2,
    )


def test_other_events_materials_are_not_mixed_in(v2, event):
    other = past_event(group=event.group)
    MaterialFactory(talk=TalkFactory(event=other), event=other)
    assert v2.json(url(event))["presentations"] == []


def test_draft_event_is_404(v2, db):
    draft = past_event(group=GroupFactory(), status=EventStatus.DRAFT)
    MaterialFactory(talk=TalkFactory(event=draft), event=draft)
    assert v2.get(url(draft)).status_code == 404


def test_bad_count_is_400(v2, event):
    response = v2.get(url(event), {"count": 0})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["count"]


def test_without_trailing_slash(v2, event):
    MaterialFactory(talk=TalkFactory(event=event), event=event)
    response = v2.get(url(event).rstrip("/"), {"count": 5, "start": 1})
    assert response.status_code == 200
    assert response.json()["results_returned"] == 1
