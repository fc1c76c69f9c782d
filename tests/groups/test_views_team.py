from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kaisai.groups.enums import RequestStatus, Role
from kaisai.groups.models import Organizer, OrganizerInvitation, OrganizerRequest
from tests.conftest import login
from tests.factories import (
    GroupFactory,
    OrganizerFactory,
    OrganizerInvitationFactory,
    OrganizerRequestFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _url(name, group, **kwargs):
    return reverse(f"groups:{name}", kwargs={"slug": group.slug, **kwargs})


def _accept_url(invitation):
    return reverse(
        "groups:invitation_accept",
        kwargs={"slug": invitation.group.slug, "token": invitation.token},
    )


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- the organizers page ------------------------------------------------------------------


def test_organizers_page_lists_team_requests_and_links(client, group, organizer, settings):
    settings.BASE_URL = "https://kaisai.example.org"
    co = OrganizerFactory(group=group, role=Role.RECEPTION)
    request = OrganizerRequestFactory(group=group, message="I can do the reception")
    invitation = OrganizerInvitationFactory(group=group)
    OrganizerInvitationFactory(group=group, expires_at=timezone.now() - timedelta(days=1))
    response = login(client, organizer).get(_url("organizers", group))
    html = response.content.decode()
    assert response.status_code == 200
    assert [o.user for o in response.context["team"]] == [organizer, co.user]
    assert "I can do the reception" in html
    assert _url("request_decide", group, pk=request.pk) in html
    assert [i for i, _link in response.context["invitations"]] == [invitation]
    assert f"https://kaisai.example.org{_accept_url(invitation)}" in html
    # The owner sees role controls for each organizer.
    assert _url("organizer_role", group, pk=co.pk) in html


def test_organizers_page_co_organizer_sees_no_role_controls(client, group):
    co = OrganizerFactory(group=group, role=Role.ORGANIZER)
    response = login(client, co.user).get(_url("organizers", group))
    html = response.content.decode()
    assert response.status_code == 200
    assert _url("organizer_role", group, pk=co.pk) not in html
    assert "Leave the team" in html
    assert '<option value="owner"' not in html  # cannot invite owners


# --- invitation links -----------------------------------------------------------------------


def test_invitation_create_then_accept_in_one_click_each(client, group, organizer, settings):
    settings.BASE_URL = "https://kaisai.example.org"
    response = login(client, organizer).post(
        _url("invitation_create", group), {"role": Role.ORGANIZER}, follow=True
    )
    invitation = OrganizerInvitation.objects.get(group=group)
    assert f"https://kaisai.example.org{_accept_url(invitation)}" in response.content.decode()

    newcomer = UserFactory(nickname="newcomer")
    login(client, newcomer)
    confirm = client.get(_accept_url(invitation))
    assert confirm.status_code == 200
    assert "Join the organizing team" in confirm.content.decode()
    assert not Organizer.objects.filter(user=newcomer).exists()  # GET changes nothing

    response = client.post(_accept_url(invitation))
    assert response.status_code == 302 and response["Location"] == group.get_absolute_url()
    assert Organizer.objects.get(group=group, user=newcomer).role == Role.ORGANIZER
    # Now an organizer, the newcomer may open the organizers page.
    assert client.get(_url("organizers", group)).status_code == 200


def test_invitation_create_owner_role_refused_for_co_organizer(client, group):
    co = OrganizerFactory(group=group, role=Role.ORGANIZER).user
    response = login(client, co).post(
        _url("invitation_create", group), {"role": Role.OWNER}, follow=True
    )
    assert not OrganizerInvitation.objects.exists()
    assert _messages(response)


def test_invitation_accept_expired_is_410(client, group, user):
    invitation = OrganizerInvitationFactory(
        group=group, expires_at=timezone.now() - timedelta(minutes=1)
    )
    login(client, user)
    for response in (client.get(_accept_url(invitation)), client.post(_accept_url(invitation))):
        assert response.status_code == 410
        assert "expired" in response.content.decode()
    assert not Organizer.objects.filter(user=user).exists()


def test_invitation_accept_used_is_410(client, group, user):
    invitation = OrganizerInvitationFactory(group=group)
    login(client, UserFactory()).post(_accept_url(invitation))
    response = login(client, user).post(_accept_url(invitation))
    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    assert not Organizer.objects.filter(user=user).exists()


def test_invitation_accept_other_group_token_is_404(client, group, user):
    other = GroupFactory()
    invitation = OrganizerInvitationFactory(group=other)
    kwargs = {"slug": group.slug, "token": invitation.token}
    url = reverse("groups:invitation_accept", kwargs=kwargs)
    login(client, user)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    wrong = reverse("groups:invitation_accept", kwargs={"slug": group.slug, "token": "guess"})
    assert client.post(wrong).status_code == 404
    assert not Organizer.objects.filter(user=user).exists()


def test_invitation_accept_already_organizer_no_duplicate(client, group, organizer):
    invitation = OrganizerInvitationFactory(group=group, role=Role.RECEPTION)
    response = login(client, organizer).post(_accept_url(invitation), follow=True)
    assert "You already organize this group." in _messages(response)
    assert Organizer.objects.get(group=group, user=organizer).role == Role.OWNER
    assert Organizer.objects.filter(group=group, user=organizer).count() == 1
    invitation.refresh_from_db()
    assert invitation.used_at is None


def test_invitation_revoke(client, group, organizer):
    invitation = OrganizerInvitationFactory(group=group)
    login(client, organizer).post(_url("invitation_revoke", group, pk=invitation.pk))
    assert not OrganizerInvitation.objects.exists()
    assert client.get(_accept_url(invitation)).status_code == 404


def test_invitation_revoke_of_other_group_is_404(client, group, organizer):
    invitation = OrganizerInvitationFactory(group=GroupFactory())
    response = login(client, organizer).post(_url("invitation_revoke", group, pk=invitation.pk))
    assert response.status_code == 404
    assert OrganizerInvitation.objects.filter(pk=invitation.pk).exists()


# --- requests to help organize --------------------------------------------------------------


def test_request_then_approve_in_two_clicks(client, group, organizer):
    newcomer = UserFactory(nickname="newcomer")
    # Click 1 (newcomer): the button on the group page.
    response = login(client, newcomer).post(_url("request_organize", group), follow=True)
    request = OrganizerRequest.objects.get(group=group, user=newcomer)
    assert request.status == RequestStatus.PENDING
    assert any("request was sent" in m for m in _messages(response))
    assert "You asked to help organize this group" in response.content.decode()
    # Click 2 (owner): approve on the organizers page, linked from the group page.
    login(client, organizer)
    assert "1 person asks" in client.get(group.get_absolute_url()).content.decode()
    client.post(_url("request_decide", group, pk=request.pk), {"decision": "approve"})
    assert Organizer.objects.get(group=group, user=newcomer).role == Role.ORGANIZER
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED


def test_request_organize_with_message_form(client, group, user):
    login(client, user)
    page = client.get(_url("request_organize", group))
    assert page.status_code == 200 and 'name="message"' in page.content.decode()
    client.post(_url("request_organize", group), {"message": "I run the stream."})
    assert OrganizerRequest.objects.get(user=user).message == "I run the stream."


def test_request_organize_repeated_returns_existing(client, group, user):
    login(client, user)
    client.post(_url("request_organize", group), {"message": "first"})
    response = client.post(_url("request_organize", group), {"message": "second"}, follow=True)
    assert OrganizerRequest.objects.filter(group=group, user=user).count() == 1
    assert OrganizerRequest.objects.get(user=user).message == "first"
    assert any("already asked" in m for m in _messages(response))


def test_request_organize_too_long_message_shows_error(client, group, user):
    response = login(client, user).post(_url("request_organize", group), {"message": "x" * 2001})
    assert response.status_code == 200 and response.context["form"].errors["message"]
    assert not OrganizerRequest.objects.exists()


def test_request_organize_by_organizer_is_refused(client, group, organizer):
    response = login(client, organizer).post(_url("request_organize", group), follow=True)
    assert "You already organize this group." in _messages(response)
    assert not OrganizerRequest.objects.exists()


def test_request_decide_decline(client, group, organizer):
    request = OrganizerRequestFactory(group=group)
    login(client, organizer).post(
        _url("request_decide", group, pk=request.pk), {"decision": "decline"}
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.DECLINED
    assert not Organizer.objects.filter(group=group, user=request.user).exists()


def test_request_decide_bad_decision_changes_nothing(client, group, organizer):
    request = OrganizerRequestFactory(group=group)
    login(client, organizer).post(_url("request_decide", group, pk=request.pk), {"decision": "x"})
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING


def test_request_decide_of_other_group_is_404(client, group, organizer):
    request = OrganizerRequestFactory(group=GroupFactory())
    response = login(client, organizer).post(
        _url("request_decide", group, pk=request.pk), {"decision": "approve"}
    )
    assert response.status_code == 404
    assert not Organizer.objects.filter(user=request.user).exists()


# --- roles and removal ----------------------------------------------------------------------


def test_organizer_role_change_by_owner(client, group, organizer):
    co = OrganizerFactory(group=group, role=Role.ORGANIZER)
    login(client, organizer).post(_url("organizer_role", group, pk=co.pk), {"role": "reception"})
    assert Organizer.objects.get(pk=co.pk).role == Role.RECEPTION


def test_organizer_role_last_owner_shows_error(client, group, organizer):
    owner = Organizer.objects.get(group=group, user=organizer)
    response = login(client, organizer).post(
        _url("organizer_role", group, pk=owner.pk), {"role": "organizer"}, follow=True
    )
    assert any("at least one owner" in m for m in _messages(response))
    assert Organizer.objects.get(pk=owner.pk).role == Role.OWNER


def test_organizer_role_invalid_role_changes_nothing(client, group, organizer):
    co = OrganizerFactory(group=group, role=Role.ORGANIZER)
    login(client, organizer).post(_url("organizer_role", group, pk=co.pk), {"role": "emperor"})
    assert Organizer.objects.get(pk=co.pk).role == Role.ORGANIZER


def test_organizer_role_by_co_organizer_forbidden(client, group, organizer):
    co = OrganizerFactory(group=group, role=Role.ORGANIZER)
    owner = Organizer.objects.get(group=group, user=organizer)
    response = login(client, co.user).post(
        _url("organizer_role", group, pk=owner.pk), {"role": "reception"}
    )
    assert response.status_code == 403
    assert Organizer.objects.get(pk=owner.pk).role == Role.OWNER


def test_organizer_role_of_other_group_is_404(client, group, organizer, outsider):
    foreign = Organizer.objects.get(user=outsider)
    response = login(client, organizer).post(
        _url("organizer_role", group, pk=foreign.pk), {"role": "reception"}
    )
    assert response.status_code == 404
    assert Organizer.objects.get(pk=foreign.pk).role == Role.OWNER


def test_organizer_remove_by_owner(client, group, organizer):
    co = OrganizerFactory(group=group, role=Role.ORGANIZER)
    login(client, organizer).post(_url("organizer_remove", group, pk=co.pk))
    assert not Organizer.objects.filter(pk=co.pk).exists()


def test_organizer_remove_last_owner_shows_error(client, group, organizer):
    owner = Organizer.objects.get(group=group, user=organizer)
    response = login(client, organizer).post(
        _url("organizer_remove", group, pk=owner.pk), follow=True
    )
    assert any("at least one owner" in m for m in _messages(response))
    assert Organizer.objects.filter(pk=owner.pk).exists()


def test_organizer_remove_co_organizer_may_leave_but_not_remove_others(client, group, organizer):
    co = OrganizerFactory(group=group, role=Role.ORGANIZER)
    other = OrganizerFactory(group=group, role=Role.RECEPTION)
    login(client, co.user)
    assert client.post(_url("organizer_remove", group, pk=other.pk)).status_code == 403
    assert Organizer.objects.filter(pk=other.pk).exists()
    response = client.post(_url("organizer_remove", group, pk=co.pk))
    assert response.status_code == 302 and response["Location"] == group.get_absolute_url()
    assert not Organizer.objects.filter(pk=co.pk).exists()


def test_organizer_remove_of_other_group_is_404(client, group, organizer, outsider):
    foreign = Organizer.objects.get(user=outsider)
    response = login(client, organizer).post(_url("organizer_remove", group, pk=foreign.pk))
    assert response.status_code == 404
    assert Organizer.objects.filter(pk=foreign.pk).exists()
