from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from kaisai.events.enums import EventStatus
from kaisai.groups.enums import RequestStatus, Role
from kaisai.groups.models import Group, Member, Organizer, OrganizerInvitation, OrganizerRequest
from tests.conftest import login
from tests.factories import (
    EventFactory,
    GroupFactory,
    MemberFactory,
    OrganizerFactory,
    OrganizerInvitationFactory,
    OrganizerRequestFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _png() -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(data, "PNG")
    data.seek(0)
    data.name = "logo.png"
    return data


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


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


# --- create ---------------------------------------------------------------------------------


def test_group_create_requires_login(client):
    response = client.get(reverse("groups:create"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_group_create_makes_creator_owner(client, user):
    response = login(client, user).post(
        reverse("groups:create"),
        {"slug": "MLCT", "title": "Machine Learning Casual Talks", "image": _png()},
    )
    group = Group.objects.get(slug="mlct")
    assert response.status_code == 302 and response["Location"] == group.get_absolute_url()
    assert Organizer.objects.get(group=group).user == user
    assert Organizer.objects.get(group=group).role == Role.OWNER
    assert group.image.name.startswith("groups/")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"slug": "", "title": "A"}, "slug"),
        ({"slug": "bad slug!", "title": "A"}, "slug"),
        ({"slug": "new", "title": "A"}, "slug"),
        ({"slug": "ok", "title": ""}, "title"),
        ({"slug": "ok", "title": "A", "website": "nope"}, "website"),
        ({"slug": "ok", "title": "A", "x_account": "@at"}, "x_account"),
    ],
)
def test_group_create_bad_input_shows_errors_saves_nothing(client, user, data, field):
    response = login(client, user).post(reverse("groups:create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert 'class="errorlist' in response.content.decode()
    assert not Group.objects.exists() and not Organizer.objects.exists()


def test_group_create_taken_slug_shows_error(client, user, group):
    response = login(client, user).post(
        reverse("groups:create"), {"slug": group.slug, "title": "Copy"}
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Group.objects.count() == 1


def test_group_create_rejects_non_image(client, user):
    fake = io.BytesIO(b"not an image")
    fake.name = "evil.png"
    response = login(client, user).post(
        reverse("groups:create"), {"slug": "ok", "title": "A", "image": fake}
    )
    assert response.status_code == 200 and response.context["form"].errors["image"]
    assert not Group.objects.exists()


# --- edit -----------------------------------------------------------------------------------


def test_group_edit_saves_and_keeps_slug(client, group, organizer):
    slug = group.slug
    response = login(client, organizer).post(
        reverse("groups:edit", kwargs={"slug": slug}),
        {"slug": "changed", "title": "New title", "subtitle": "Sub", "image": _png()},
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.slug, group.title, group.subtitle) == (slug, "New title", "Sub")
    assert group.image


def test_group_edit_by_co_organizer(client, group):
    co = OrganizerFactory(group=group, role=Role.ORGANIZER).user
    response = login(client, co).post(
        reverse("groups:edit", kwargs={"slug": group.slug}), {"title": "Edited by co"}
    )
    assert response.status_code == 302
    assert Group.objects.get(pk=group.pk).title == "Edited by co"


def test_group_edit_bad_input_shows_errors_saves_nothing(client, group, organizer):
    before = Group.objects.values().get(pk=group.pk)
    response = login(client, organizer).post(
        reverse("groups:edit", kwargs={"slug": group.slug}),
        {"title": "", "website": "nope", "x_account": "way-too-long-handle"},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"title", "website", "x_account"}
    assert Group.objects.values().get(pk=group.pk) == before


def test_group_edit_reception_forbidden(client, group):
    reception = OrganizerFactory(group=group, role=Role.RECEPTION).user
    login(client, reception)
    url = reverse("groups:edit", kwargs={"slug": group.slug})
    assert client.get(url).status_code == 403
    assert client.post(url, {"title": "Hacked"}).status_code == 403
    assert Group.objects.get(pk=group.pk).title != "Hacked"


# --- every organizer URL: anonymous → login, outsider → 403/404 ------------------------------


def _organizer_urls(group):
    organizer = Organizer.objects.filter(group=group).first()
    invitation = OrganizerInvitationFactory(group=group)
    request = OrganizerRequestFactory(group=group)
    slug = group.slug
    return [
        ("get", reverse("groups:edit", kwargs={"slug": slug}), {}),
        ("post", reverse("groups:edit", kwargs={"slug": slug}), {"title": "Hacked"}),
        ("get", reverse("groups:organizers", kwargs={"slug": slug}), {}),
        (
            "post",
            reverse("groups:organizer_role", kwargs={"slug": slug, "pk": organizer.pk}),
            {"role": Role.RECEPTION},
        ),
        (
            "post",
            reverse("groups:organizer_remove", kwargs={"slug": slug, "pk": organizer.pk}),
            {},
        ),
        ("post", reverse("groups:invitation_create", kwargs={"slug": slug}), {"role": "owner"}),
        (
            "post",
            reverse("groups:invitation_revoke", kwargs={"slug": slug, "pk": invitation.pk}),
            {},
        ),
        (
            "post",
            reverse("groups:request_decide", kwargs={"slug": slug, "pk": request.pk}),
            {"decision": "approve"},
        ),
    ]


def _nothing_changed(group, title):
    group.refresh_from_db()
    assert group.title == title
    assert Organizer.objects.filter(group=group, role=Role.OWNER).count() == 1
    assert OrganizerRequest.objects.filter(group=group, status=RequestStatus.PENDING).count() == 1
    assert OrganizerInvitation.objects.filter(group=group).count() == 1


def test_organizer_urls_anonymous_redirected_to_login(client, group):
    title = group.title
    for method, url, data in _organizer_urls(group):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url
    _nothing_changed(group, title)


def test_organizer_urls_outsider_forbidden(client, group, outsider):
    title = group.title
    login(client, outsider)
    for method, url, data in _organizer_urls(group):
        response = getattr(client, method)(url, data)
        assert response.status_code in (403, 404), url
    _nothing_changed(group, title)


def test_organizer_urls_reception_forbidden(client, group):
    reception = OrganizerFactory(group=group, role=Role.RECEPTION).user
    title = group.title
    login(client, reception)
    for method, url, data in _organizer_urls(group):
        response = getattr(client, method)(url, data)
        assert response.status_code in (403, 404), url
    _nothing_changed(group, title)


@pytest.mark.parametrize("name", ["follow", "unfollow", "request_organize"])
def test_member_urls_anonymous_redirected_to_login(client, group, name):
    response = client.post(reverse(f"groups:{name}", kwargs={"slug": group.slug}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Member.objects.exists() and not OrganizerRequest.objects.exists()


def test_invitation_accept_anonymous_redirected_to_login(client, group):
    invitation = OrganizerInvitationFactory(group=group)
    kwargs = {"slug": group.slug, "token": invitation.token}
    url = reverse("groups:invitation_accept", kwargs=kwargs)
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert Organizer.objects.filter(group=group).count() == 1


# --- follow ---------------------------------------------------------------------------------


def test_follow_and_unfollow_are_idempotent(client, group, user):
    login(client, user)
    follow = reverse("groups:follow", kwargs={"slug": group.slug})
    unfollow = reverse("groups:unfollow", kwargs={"slug": group.slug})
    assert client.post(follow).status_code == 302
    assert client.post(follow).status_code == 302
    assert Member.objects.filter(group=group, user=user).count() == 1
    assert client.post(unfollow).status_code == 302
    assert client.post(unfollow).status_code == 302
    assert not Member.objects.filter(group=group, user=user).exists()


def test_follow_requires_post(client, group, user):
    response = login(client, user).get(reverse("groups:follow", kwargs={"slug": group.slug}))
    assert response.status_code == 405
    assert not Member.objects.exists()
