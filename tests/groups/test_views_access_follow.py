"""Access to every organizer and member URL of a group, and following a group."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kaisai.groups.enums import RequestStatus, Role
from kaisai.groups.models import Member, Organizer, OrganizerInvitation, OrganizerRequest
from tests.conftest import login
from tests.factories import (
    OrganizerFactory,
    OrganizerInvitationFactory,
    OrganizerRequestFactory,
)

pytestmark = pytest.mark.django_db


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
