"""GET /api/v2/groups/, /users/ and the user sub-resources."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from kaisai.events.enums import EventStatus
from kaisai.groups.enums import Role
from kaisai.registrations.services import register as register_one
from kaisai.talks.enums import TalkState
from tests.api.v2.factories import checked_in, frame, move_to, past_event
from tests.factories import (
    EventFactory,
    GroupFactory,
    MemberFactory,
    OrganizerFactory,
    UserFactory,
)
from tests.talks.factories import TalkFactory

GROUP_KEYS = {
    "id", "subdomain", "title", "sub_title", "url", "description", "owner_text", "image_url",
    "website_url", "website_name", "twitter_username", "facebook_url", "member_users_count",
}  # fmt: skip
USER_KEYS = {
    "id", "nickname", "display_name", "description", "url", "image_url", "created_at",
    "attended_event_count", "organize_event_count", "presenter_event_count",
    "bookmark_event_count",
}  # fmt: skip


@pytest.fixture
def haru(db):
    return UserFactory(
        nickname="haru860",
        display_name="佐藤 治夫",
        bio="株式会社ビープラウド代表取締役。",
        show_in_lists=True,  # chose to appear: check-ins are public (docs/participants.md)
    )


@pytest.fixture
def bpstudy(haru):
    group = GroupFactory(
        slug="bpstudy",
        title="BPStudy",
        subtitle="株式会社ビープラウドが主催するIT勉強会",
        description="毎月 **第3火曜** に開催",
        website="http://www.beproud.jp/",
        x_account="bpstudy",
        owner=haru,
    )
    for n in range(3):
        MemberFactory(group=group, user=UserFactory(nickname=f"member{n}"))
    return group


# --- groups -------------------------------------------------------------------------------


def test_group_object(v2, bpstudy):
    body = v2.json("/api/v2/groups/", {"subdomain": "bpstudy"})
    assert list(body) == ["results_returned", "results_available", "results_start", "groups"]
    item = body["groups"][0]
    assert set(item) == GROUP_KEYS
    assert item == {
        "id": bpstudy.pk,
        "subdomain": "bpstudy",
        "title": "BPStudy",
        "sub_title": "株式会社ビープラウドが主催するIT勉強会",
        "url": "https://kaisai.example.org/groups/bpstudy/",
        "description": "<p>毎月 <strong>第3火曜</strong> に開催</p>\n",
        "owner_text": "佐藤 治夫",
        "image_url": "",
        "website_url": "http://www.beproud.jp/",
        "website_name": "BPStudy",
        "twitter_username": "bpstudy",
        "facebook_url": "",
        "member_users_count": 3,  # an integer, not the string of connpass's sample
    }


def test_group_without_optional_values_has_empty_strings(v2, db):
    GroupFactory(slug="bare", subtitle="", description="", website="", x_account="")
    item = v2.json("/api/v2/groups/", {"subdomain": "bare"})["groups"][0]
    for name in GROUP_KEYS - {"id", "member_users_count"}:
        assert isinstance(item[name], str), name
    assert item["member_users_count"] == 0


@pytest.mark.parametrize(
    "query", ["subdomain=a&subdomain=c", "subdomain=a,c", "subdomain=a,c&subdomain=a"]
)
def test_groups_by_subdomains(v2, db, query):
    a, _b, c = (GroupFactory(slug=slug) for slug in "abc")
    body = v2.json(f"/api/v2/groups/?{query}")
    assert [group["id"] for group in body["groups"]] == [a.pk, c.pk]


def test_groups_without_subdomain_lists_all_paged(v2, db):
    groups = [GroupFactory() for _ in range(4)]
    body = v2.json("/api/v2/groups", {"start": 2, "count": 2})
    assert [group["id"] for group in body["groups"]] == [g.pk for g in groups[1:3]]
    assert (body["results_available"], body["results_start"]) == (4, 2)


def test_at_most_100_subdomains(v2, db):
    response = v2.get("/api/v2/groups/", {"subdomain": ",".join(f"g{n}" for n in range(101))})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["subdomain"]


def test_user_groups_are_memberships_and_organizer_roles(v2, haru, bpstudy):
    followed = GroupFactory(slug="followed")
    MemberFactory(group=followed, user=haru)
    helped = GroupFactory(slug="helped")
    OrganizerFactory(group=helped, user=haru, role=Role.RECEPTION)
    MemberFactory(group=bpstudy, user=haru)  # owner and member: listed once
    GroupFactory(slug="unrelated")

    body = v2.json("/api/v2/users/haru860/groups/")
    assert [group["subdomain"] for group in body["groups"]] == ["bpstudy", "followed", "helped"]
    assert body["results_available"] == 3
    assert body["groups"][0]["member_users_count"] == 4
    assert set(body["groups"][0]) == GROUP_KEYS


# --- users --------------------------------------------------------------------------------


def test_user_object(v2, haru, bpstudy):
    haru.date_joined = datetime(2011, 10, 20, 9, 23, 3, 500, tzinfo=UTC)
    haru.save()
    body = v2.json("/api/v2/users/", {"nickname": "haru860"})
    assert list(body) == ["results_returned", "results_available", "results_start", "users"]
    item = body["users"][0]
    assert set(item) == USER_KEYS
    assert item == {
        "id": haru.pk,
        "nickname": "haru860",
        "display_name": "佐藤 治夫",
        "description": "株式会社ビープラウド代表取締役。",
        "url": "https://kaisai.example.org/user/haru860/",
        "image_url": "",
        "created_at": "2011-10-20T18:23:03+09:00",
        "attended_event_count": 0,
        "organize_event_count": 0,
        "presenter_event_count": 0,
        "bookmark_event_count": 0,
    }


def test_display_name_falls_back_to_the_nickname(v2, db):
    UserFactory(nickname="plain", display_name="")
    assert v2.json("/api/v2/users/", {"nickname": "plain"})["users"][0]["display_name"] == "plain"


def test_nickname_is_exact_and_multi_valued(v2, db):
    for nickname in ("ian", "ianx", "haru860"):
        UserFactory(nickname=nickname)
    body = v2.json("/api/v2/users/?nickname=haru860,ian")
    assert sorted(user["nickname"] for user in body["users"]) == ["haru860", "ian"]
    body = v2.json("/api/v2/users?nickname=ian&nickname=IAN")
    assert [user["nickname"] for user in body["users"]] == ["ian"]


def test_inactive_users_are_not_listed(v2, db):
    UserFactory(nickname="gone", is_active=False)
    assert v2.json("/api/v2/users/", {"nickname": "gone"})["users"] == []


def test_user_counts(v2, haru, bpstudy):
    # organized: the public events of groups haru owns (not drafts)
    past_event(group=bpstudy)
    past_event(group=bpstudy, status=EventStatus.CANCELLED)
    past_event(group=bpstudy, status=EventStatus.DRAFT)
    # attended: check-ins
    other = GroupFactory()
    for _ in range(2):
        event = EventFactory(group=other)
        checked_in(register_one(frame=frame(event, capacity=5), user=haru))
    not_attended = EventFactory(group=other)
    register_one(frame=frame(not_attended, capacity=5), user=haru)
    # presented: accepted talks
    TalkFactory(event=past_event(group=other), speaker=haru)
    TalkFactory(event=past_event(group=other), speaker=haru, state=TalkState.PROPOSED)

    item = v2.json("/api/v2/users/", {"nickname": "haru860"})["users"][0]
    assert item["organize_event_count"] == 2
    assert item["attended_event_count"] == 2
    assert item["presenter_event_count"] == 1
    assert item["bookmark_event_count"] == 0


def test_attended_events_are_the_check_ins_latest_first(v2, haru, bpstudy):
    now = timezone.now()
    events = []
    for days in (3, 1, 2):
        event = EventFactory(group=bpstudy)
        checked_in(register_one(frame=frame(event, capacity=5), user=haru))
        events.append(move_to(event, now - timedelta(days=days)))
    EventFactory(group=bpstudy)  # never there
    body = v2.json("/api/v2/users/haru860/attended_events/")
    assert [event["id"] for event in body["events"]] == [
        events[1].pk,
        events[2].pk,
        events[0].pk,
    ]
    assert body["events"][0]["started_at"].endswith("+09:00")
    assert body["results_available"] == 3


def test_presenter_events_are_accepted_talks_latest_first(v2, haru, bpstudy):
    early = past_event(group=bpstudy, starts_at=datetime(2025, 1, 10, 10, tzinfo=UTC))
    late = past_event(group=bpstudy, starts_at=datetime(2025, 3, 10, 10, tzinfo=UTC))
    upcoming = EventFactory(group=bpstudy)
    for event in (early, late, upcoming):
        TalkFactory(event=event, speaker=haru)
    TalkFactory(event=late, speaker=haru)  # two talks, one event
    TalkFactory(event=past_event(group=bpstudy), speaker=haru, state=TalkState.WITHDRAWN)
    TalkFactory(event=past_event(group=bpstudy, status=EventStatus.DRAFT), speaker=haru)

    body = v2.json("/api/v2/users/haru860/presenter_events")
    assert [event["id"] for event in body["events"]] == [upcoming.pk, late.pk, early.pk]


def test_user_sub_resources_page(v2, haru):
    for _ in range(3):
        MemberFactory(group=GroupFactory(), user=haru)
    body = v2.json("/api/v2/users/haru860/groups/", {"start": 3, "count": 5})
    assert (body["results_returned"], body["results_available"], body["results_start"]) == (
        1,
        3,
        3,
    )
