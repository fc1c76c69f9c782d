"""Group list and group page (who sees what), with query-count guards."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kaisai.events.enums import EventStatus
from kaisai.groups.enums import Role
from tests.conftest import login
from tests.factories import (
    EventFactory,
    GroupFactory,
    MemberFactory,
    OrganizerFactory,
    OrganizerRequestFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


# --- list -----------------------------------------------------------------------------------


def test_group_list_shows_groups_with_counts(client):
    group = GroupFactory(title="Machine Learning Casual Talks")
    MemberFactory.create_batch(3, group=group)
    EventFactory(group=group)
    EventFactory(group=group, status=EventStatus.DRAFT)
    EventFactory(
        group=group,
        starts_at=timezone.now() - timedelta(days=30),
        ends_at=timezone.now() - timedelta(days=30) + timedelta(hours=2),
    )
    response = client.get(reverse("groups:list"))
    assert response.status_code == 200
    listed = response.context["groups"][0]
    assert (listed.member_count, listed.upcoming_event_count) == (3, 1)
    assert "Machine Learning Casual Talks" in response.content.decode()
    assert "3 members" in response.content.decode()


def test_group_list_paginates_by_30(client):
    GroupFactory.create_batch(31)
    first = client.get(reverse("groups:list"))
    second = client.get(reverse("groups:list"), {"page": 2})
    assert len(first.context["groups"]) == 30
    assert len(second.context["groups"]) == 1


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("groups:list")).status_code == 200
    return len(queries)


def test_group_list_query_count_does_not_grow(client, user):
    login(client, user)

    def add_groups(n):
        for _ in range(n):
            group = GroupFactory(owner=UserFactory())
            MemberFactory.create_batch(2, group=group)
            EventFactory(group=group)

    add_groups(2)
    few = _list_queries(client)
    add_groups(10)
    assert _list_queries(client) == few


# --- detail ---------------------------------------------------------------------------------


def test_group_detail_shows_page(client, group, organizer):
    group.subtitle = "Casual ML talks in Tokyo"
    group.description = "We **meet** every two months.\n\n<script>alert(1)</script>"
    group.website = "https://mlct.example.org/"
    group.x_account = "mlct_tokyo"
    group.save()
    MemberFactory.create_batch(2, group=group)
    upcoming = EventFactory(group=group, title="MLCT #5")
    past = EventFactory(
        group=group,
        title="MLCT #4",
        starts_at=timezone.now() - timedelta(days=60),
        ends_at=timezone.now() - timedelta(days=60) + timedelta(hours=2),
    )
    draft = EventFactory(group=group, title="MLCT #6 draft", status=EventStatus.DRAFT)
    response = client.get(group.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Casual ML talks in Tokyo" in html
    assert "<strong>meet</strong>" in html and "<script>alert" not in html
    assert 'href="https://mlct.example.org/"' in html
    assert 'href="https://x.com/mlct_tokyo"' in html
    assert list(response.context["upcoming_events"]) == [upcoming]
    assert list(response.context["past_events"]) == [past]
    assert draft.title not in html
    assert reverse("accounts:profile", kwargs={"nickname": organizer.nickname}) in html
    assert response.context["group"].member_count == 2
    assert "Log in to follow" in html


def test_group_detail_unknown_slug_404(client):
    assert client.get(reverse("groups:detail", kwargs={"slug": "nope"})).status_code == 404


def test_group_detail_organizer_sees_drafts_and_tools(client, group, organizer):
    draft = EventFactory(group=group, title="Next one (draft)", status=EventStatus.DRAFT)
    OrganizerRequestFactory(group=group)
    response = login(client, organizer).get(group.get_absolute_url())
    html = response.content.decode()
    assert response.context["draft_events"] == [draft]
    assert "Drafts" in html and draft.title in html
    assert reverse("groups:edit", kwargs={"slug": group.slug}) in html
    assert reverse("groups:organizers", kwargs={"slug": group.slug}) in html
    assert "1 person asks to help organize" in html
    assert "Help organize this group" not in html


def test_group_detail_reception_sees_no_drafts(client, group):
    reception = OrganizerFactory(group=group, role=Role.RECEPTION).user
    EventFactory(group=group, title="Secret draft", status=EventStatus.DRAFT)
    response = login(client, reception).get(group.get_absolute_url())
    assert "Secret draft" not in response.content.decode()
    assert reverse("groups:edit", kwargs={"slug": group.slug}) not in response.content.decode()


def test_group_detail_outsider_sees_follow_and_help_buttons(client, group, user):
    html = login(client, user).get(group.get_absolute_url()).content.decode()
    assert reverse("groups:follow", kwargs={"slug": group.slug}) in html
    assert "Help organize this group" in html
    assert reverse("groups:edit", kwargs={"slug": group.slug}) not in html


def test_group_detail_member_sees_unfollow(client, group, user):
    MemberFactory(group=group, user=user)
    html = login(client, user).get(group.get_absolute_url()).content.decode()
    assert reverse("groups:unfollow", kwargs={"slug": group.slug}) in html


def _detail_queries(client, group) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(group.get_absolute_url()).status_code == 200
    return len(queries)


@pytest.mark.parametrize("as_organizer", [False, True])
def test_group_detail_query_count_does_not_grow(client, group, organizer, user, as_organizer):
    login(client, organizer if as_organizer else user)

    def add(n):
        for i in range(n):
            OrganizerFactory(group=group)
            MemberFactory(group=group)
            EventFactory(group=group)
            EventFactory(group=group, status=EventStatus.DRAFT)
            EventFactory(
                group=group,
                starts_at=timezone.now() - timedelta(days=10 + i),
                ends_at=timezone.now() - timedelta(days=10 + i) + timedelta(hours=2),
            )
            OrganizerRequestFactory(group=group)

    add(2)
    few = _detail_queries(client, group)
    add(10)
    assert _detail_queries(client, group) == few
