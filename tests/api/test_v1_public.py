"""Public reads of the native API: search on the event list, groups, talks, materials."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kaisai.talks.enums import TalkState
from tests.factories import EventFactory, GroupFactory, MemberFactory, UserFactory
from tests.talks.factories import MaterialFactory, TalkFactory, TimetableEntryFactory


def test_event_list_searches_like_the_site(api_as, group):
    ml = EventFactory(group=group, title="機械学習の夕べ", prefecture="tokyo")
    EventFactory(group=group, title="Web night", prefecture="osaka")
    online = EventFactory(group=group, title="Online ML", venue_kind="online", prefecture="")
    api = api_as()
    assert [e["id"] for e in api.get("/api/v1/events/", keyword="機械学習").json()] == [ml.pk]
    by_place = api.get("/api/v1/events/", prefecture="online").json()
    assert [e["id"] for e in by_place] == [online.pk]
    other = GroupFactory(slug="another")
    EventFactory(group=other)
    assert {e["group"]["slug"] for e in api.get("/api/v1/events/", group="another").json()} == {
        "another"
    }


def test_event_list_date_range_and_past(api_as, group):
    soon = EventFactory(group=group, starts_at=timezone.now() + timedelta(days=3))
    later = EventFactory(group=group, starts_at=timezone.now() + timedelta(days=40))
    old = EventFactory(group=group, starts_at=timezone.now() - timedelta(days=40))
    api = api_as()
    until = (timezone.now() + timedelta(days=10)).date().isoformat()
    assert [e["id"] for e in api.get("/api/v1/events/", starts_until=until).json()] == [soon.pk]
    assert [e["id"] for e in api.get("/api/v1/events/").json()] == [soon.pk, later.pk]
    assert [e["id"] for e in api.get("/api/v1/events/", past="true").json()] == [old.pk]


def test_bad_search_parameter_is_422_with_reason(api_as):
    response = api_as().get("/api/v1/events/", starts_from="not-a-date")
    assert response.status_code == 422 and response.json()["reason"] == "invalid"
    assert "starts_from" in str(response.json()["errors"])


def test_groups_list_and_detail(api_as, group):
    MemberFactory(group=group)
    event = EventFactory(group=group)
    listed = api_as().get("/api/v1/groups/").json()
    assert [g["slug"] for g in listed] == [group.slug] or group.slug in [g["slug"] for g in listed]
    body = api_as().get(f"/api/v1/groups/{group.slug}/").json()
    assert body["member_count"] == 1 and [e["id"] for e in body["upcoming_events"]] == [event.pk]
    assert api_as().get("/api/v1/groups/nope/").status_code == 404


def test_talks_with_speakers_slots_and_materials(api_as, group):
    event = EventFactory(group=group)
    speaker = UserFactory(nickname="speaker")
    talk = TalkFactory(event=event, speaker=speaker, title="Transformers")
    TimetableEntryFactory(event=event, kind="talk", talk=talk, title="")
    MaterialFactory(talk=talk, url="https://speakerdeck.com/speaker/transformers")
    TalkFactory(event=event, state=TalkState.PROPOSED, title="Not yet")
    MaterialFactory(talk=None, event=event, kind="movie", url="https://youtu.be/abc")
    body = api_as().get(f"/api/v1/events/{event.pk}/talks/").json()
    assert [t["title"] for t in body] == ["Transformers"]
    assert body[0]["speakers"] == [{"name": speaker.display_name, "nickname": "speaker"}]
    assert body[0]["starts_at"] is not None
    assert [m["url"] for m in body[0]["materials"]] == [
        "https://speakerdeck.com/speaker/transformers"
    ]
    materials = api_as().get(f"/api/v1/events/{event.pk}/materials/").json()
    assert {m["url"] for m in materials} == {
        "https://speakerdeck.com/speaker/transformers",
        "https://youtu.be/abc",
    }


def test_talks_of_a_draft_event_are_404(api_as, group):
    draft = EventFactory(group=group, status="draft")
    TalkFactory(event=draft)
    assert api_as().get(f"/api/v1/events/{draft.pk}/talks/").status_code == 404
    assert api_as().get(f"/api/v1/events/{draft.pk}/materials/").status_code == 404


@pytest.mark.parametrize("url", ["/api/v1/events/", "/api/v1/groups/"])
def test_list_query_count_does_not_grow(api_as, group, url, django_assert_max_num_queries):
    for _ in range(2):
        EventFactory(group=GroupFactory())
    with django_assert_max_num_queries(3) as few:
        api_as().get(url)
    for _ in range(10):
        EventFactory(group=GroupFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        api_as().get(url)


def test_talk_list_query_count_does_not_grow(api_as, group, django_assert_max_num_queries):
    event = EventFactory(group=group)
    for _ in range(2):
        MaterialFactory(talk=TalkFactory(event=event, speaker=UserFactory()))
    with django_assert_max_num_queries(6) as few:
        api_as().get(f"/api/v1/events/{event.pk}/talks/")
    for _ in range(10):
        MaterialFactory(talk=TalkFactory(event=event, speaker=UserFactory()))
    with django_assert_max_num_queries(len(few.captured_queries)):
        api_as().get(f"/api/v1/events/{event.pk}/talks/")
