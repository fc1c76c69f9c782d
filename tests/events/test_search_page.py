"""The search page /events/search/ and the header's search box."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kaisai.events.enums import EventStatus, VenueKind
from tests.factories import EventFactory, GroupFactory

pytestmark = pytest.mark.django_db
URL = reverse("events:search")


def at(days: int) -> dict:
    start = datetime(2030, 6, 1, 10, 0, tzinfo=UTC) + timedelta(days=days)
    return {"starts_at": start, "ends_at": start + timedelta(hours=2)}


def test_header_has_a_search_box(client):
    page = client.get(reverse("home")).content.decode()
    assert f'action="{URL}"' in page
    assert 'name="q"' in page


def test_without_a_query_upcoming_events(client, group):
    EventFactory(group=group, title="Soon", starts_at=timezone.now() + timedelta(days=2))
    EventFactory(
        group=group,
        title="Long ago",
        starts_at=timezone.now() - timedelta(days=30),
        ends_at=timezone.now() - timedelta(days=30),
    )
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Soon" in page
    assert "Long ago" not in page
    assert timezone.localdate().isoformat() in page  # the form shows the date it used


def test_keyword_prefecture_group_tag_and_dates(client, group):
    EventFactory(group=group, title="機械学習 Tokyo", hashtag="mlct", **at(0))
    EventFactory(
        group=group,
        title="機械学習 Online",
        venue_kind=VenueKind.ONLINE,
        prefecture="",
        **at(1),
    )
    EventFactory(group=group, title="機械学習 Osaka", prefecture="osaka", **at(2))
    other = GroupFactory(slug="other")
    EventFactory(group=other, title="機械学習 Other", **at(3))
    EventFactory(group=group, title="機械学習 Draft", status=EventStatus.DRAFT, **at(4))

    def titles(**params):
        response = client.get(URL, params)
        assert response.status_code == 200
        return {e.title for e in response.context["events"]}

    assert titles(q="機械学習") == {
        "機械学習 Tokyo",
        "機械学習 Online",
        "機械学習 Osaka",
        "機械学習 Other",
    }
    assert titles(q="機械学習　online") == {"機械学習 Online"}  # full-width space
    assert titles(q="機械学習", prefecture="online") == {"機械学習 Online"}
    assert titles(q="機械学習", prefecture="osaka") == {"機械学習 Osaka"}
    assert titles(q="機械学習", group="other") == {"機械学習 Other"}
    assert titles(tag="#mlct") == {"機械学習 Tokyo"}
    assert titles(starts_from="2030-06-02", starts_until="2030-06-03") == {
        "機械学習 Online",
        "機械学習 Osaka",
    }
    response = client.get(URL, {"q": "機械学習", "order": "start_desc"})
    assert [e.title for e in response.context["events"]][0] == "機械学習 Other"


def test_results_are_escaped(client, group):
    EventFactory(group=group, title="<script>alert(1)</script> night", **at(0))
    page = client.get(URL, {"q": "<script>"}).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; night" in page
    assert "<script>alert(1)" not in page


def test_bad_input_shows_field_errors(client):
    response = client.get(
        URL, {"starts_from": "2030-06-05", "starts_until": "2030-06-01", "prefecture": "mars"}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "starts_until" in errors
    assert "prefecture" in errors
    assert response.context["events"] == []


def test_bad_input_in_japanese(client):
    client.cookies["django_language"] = "ja"
    response = client.get(URL, {"starts_from": "not a date"}, headers={"accept-language": "ja"})
    assert response.status_code == 400
    assert "starts_from" in response.context["form"].errors


def test_pages(client, group):
    for n in range(65):
        EventFactory(group=group, title=f"Python {n:02}", **at(n))
    first = client.get(URL, {"q": "python"})
    assert len(first.context["events"]) == 30
    assert first.context["has_next"]
    assert 'rel="next"' in first.content.decode()
    third = client.get(URL, {"q": "python", "page": "3"})
    assert [e.title for e in third.context["events"]] == ["Python 60", "Python 61"] + [
        f"Python {n}" for n in range(62, 65)
    ]
    assert not third.context["has_next"]
    assert client.get(URL, {"q": "python", "page": "x"}).context["page_number"] == 1
    assert client.get(URL, {"q": "python", "page": "99999"}).status_code == 200


def test_query_count_does_not_grow_with_results(client, group, django_assert_max_num_queries):
    for n in range(2):
        EventFactory(group=group, title=f"Rust {n}", **at(n))
    with django_assert_max_num_queries(3) as few:
        client.get(URL, {"q": "rust"})
    for n in range(2, 12):
        EventFactory(group=GroupFactory(), title=f"Rust {n}", **at(n))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL, {"q": "rust"})
    assert len(response.context["events"]) == 12
