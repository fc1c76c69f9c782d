from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kaisai.groups.enums import RequestStatus, Role
from kaisai.groups.models import Group, Member, Organizer, OrganizerInvitation, OrganizerRequest
from kaisai.groups.permissions import can_manage_group, role_of
from kaisai.groups.services import (
    GroupError,
    accept_invitation,
    change_role,
    create_group,
    create_invitation,
    decide_request,
    follow_group,
    remove_organizer,
    request_to_organize,
    revoke_invitation,
    unfollow_group,
    update_group,
)
from tests.factories import (
    OrganizerFactory,
    OrganizerInvitationFactory,
    OrganizerRequestFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _codes(error: GroupError) -> set[str]:
    if hasattr(error, "error_dict"):
        return {e.code for errors in error.error_dict.values() for e in errors}
    return {e.code for e in error.error_list}


# --- create / update ------------------------------------------------------------------------


def test_create_group_makes_creator_owner(user):
    group = create_group(creator=user, slug="mlct", title="Machine Learning Casual Talks")
    assert Group.objects.get(slug="mlct").title == "Machine Learning Casual Talks"
    assert Organizer.objects.get(group=group).user == user
    assert role_of(user, group) == Role.OWNER


def test_create_group_rejects_taken_slug_and_saves_nothing(user, group):
    with pytest.raises(GroupError):
        create_group(creator=user, slug=group.slug, title="Another")
    assert Group.objects.count() == 1
    assert not Organizer.objects.filter(user=user).exists()


@pytest.mark.parametrize("slug", ["Bad Slug", "-edge", "new", "x" * 51])
def test_create_group_rejects_bad_slug(user, slug):
    with pytest.raises(GroupError):
        create_group(creator=user, slug=slug, title="A group")
    assert not Group.objects.exists()


def test_create_group_rejects_bad_fields(user):
    with pytest.raises(GroupError):
        create_group(creator=user, slug="ok", title="A group", website="not a url")
    with pytest.raises(GroupError):
        create_group(creator=user, slug="ok", title="A group", x_account="@with_at")
    assert not Group.objects.exists()


def test_update_group_by_organizer_saves(group, organizer):
    update_group(group=group, by=organizer, title="New title", x_account="mlct")
    group.refresh_from_db()
    assert (group.title, group.x_account) == ("New title", "mlct")


def test_update_group_refuses_slug_change(group, organizer):
    slug = group.slug
    with pytest.raises(GroupError) as info:
        update_group(group=group, by=organizer, slug="other")
    assert "slug_fixed" in _codes(info.value)
    group.refresh_from_db()
    assert group.slug == slug


@pytest.mark.parametrize("role", [Role.RECEPTION, None])
def test_update_group_refuses_reception_and_strangers(group, role):
    person = UserFactory()
    if role:
        OrganizerFactory(group=group, user=person, role=role)
    with pytest.raises(GroupError):
        update_group(group=group, by=person, title="Hacked")
    assert Group.objects.get(pk=group.pk).title != "Hacked"


def test_update_group_with_bad_value_saves_nothing(group, organizer):
    title = group.title
    with pytest.raises(GroupError):
        update_group(group=group, by=organizer, title="", website="nope")
    assert Group.objects.get(pk=group.pk).title == title


# --- follow ---------------------------------------------------------------------------------


def test_follow_group_is_idempotent(group, user):
    first = follow_group(group=group, user=user)
    second = follow_group(group=group, user=user)
    assert first.pk == second.pk
    assert Member.objects.filter(group=group, user=user).count() == 1


def test_unfollow_group_is_idempotent(group, user):
    follow_group(group=group, user=user)
    unfollow_group(group=group, user=user)
    unfollow_group(group=group, user=user)
    assert not Member.objects.filter(group=group, user=user).exists()


# --- invitations ----------------------------------------------------------------------------


def test_create_invitation_has_random_token_and_seven_days(group, organizer):
    invitation = create_invitation(group=group, by=organizer, role=Role.RECEPTION)
    other = create_invitation(group=group, by=organizer)
    assert len(invitation.token) >= 40 and invitation.token != other.token
    assert invitation.role == Role.RECEPTION and other.role == Role.ORGANIZER
    lifetime = invitation.expires_at - timezone.now()
    assert timedelta(days=6, hours=23) < lifetime <= timedelta(days=7)


def test_create_invitation_refuses_reception_and_strangers(group, outsider):
    reception = OrganizerFactory(group=group, role=Role.RECEPTION).user
    for person in (reception, outsider):
        with pytest.raises(GroupError):
            create_invitation(group=group, by=person)
    assert not OrganizerInvitation.objects.exists()


def test_create_invitation_for_owner_only_by_owner(group, organizer):
    co = OrganizerFactory(group=group, role=Role.ORGANIZER).user
    with pytest.raises(GroupError):
        create_invitation(group=group, by=co, role=Role.OWNER)
    assert create_invitation(group=group, by=organizer, role=Role.OWNER).role == Role.OWNER


def test_create_invitation_rejects_unknown_role(group, organizer):
    with pytest.raises(GroupError):
        create_invitation(group=group, by=organizer, role="emperor")


def test_accept_invitation_makes_organizer_with_role(group, user):
    invitation = OrganizerInvitationFactory(group=group, role=Role.RECEPTION)
    organizer, created = accept_invitation(invitation=invitation, user=user)
    assert created and organizer.role == Role.RECEPTION and organizer.group == group
    invitation.refresh_from_db()
    assert invitation.used_by == user and invitation.used_at is not None


def test_accept_invitation_is_single_use(group, user):
    invitation = OrganizerInvitationFactory(group=group)
    accept_invitation(invitation=invitation, user=user)
    second = UserFactory()
    with pytest.raises(GroupError) as info:
        accept_invitation(invitation=OrganizerInvitation.objects.get(pk=invitation.pk), user=second)
    assert "used" in _codes(info.value)
    assert not Organizer.objects.filter(group=group, user=second).exists()


def test_accept_invitation_stale_object_is_still_single_use(group, user):
    """Two people holding the same (stale) invitation object: only the first gets in."""
    invitation = OrganizerInvitationFactory(group=group)
    stale = OrganizerInvitation.objects.get(pk=invitation.pk)
    accept_invitation(invitation=invitation, user=user)
    with pytest.raises(GroupError):
        accept_invitation(invitation=stale, user=UserFactory())
    assert Organizer.objects.filter(group=group).count() == 2  # owner + user


def test_accept_invitation_expired(group, user):
    invitation = OrganizerInvitationFactory(
        group=group, expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(GroupError) as info:
        accept_invitation(invitation=invitation, user=user)
    assert "expired" in _codes(info.value)
    assert not Organizer.objects.filter(group=group, user=user).exists()


def test_accept_invitation_by_existing_organizer_keeps_role_and_link(group, organizer):
    invitation = OrganizerInvitationFactory(group=group, role=Role.RECEPTION)
    existing, created = accept_invitation(invitation=invitation, user=organizer)
    assert not created and existing.role == Role.OWNER
    assert Organizer.objects.filter(group=group, user=organizer).count() == 1
    invitation.refresh_from_db()
    assert invitation.used_at is None


def test_accept_invitation_answers_pending_request(group, user):
    request = OrganizerRequestFactory(group=group, user=user)
    accept_invitation(invitation=OrganizerInvitationFactory(group=group), user=user)
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED


def test_revoke_invitation_deletes_unused_link(group, organizer):
    invitation = create_invitation(group=group, by=organizer)
    revoke_invitation(invitation=invitation, by=organizer)
    assert not OrganizerInvitation.objects.exists()


def test_revoke_invitation_refuses_strangers(group, outsider):
    invitation = OrganizerInvitationFactory(group=group)
    with pytest.raises(GroupError):
        revoke_invitation(invitation=invitation, by=outsider)
    assert OrganizerInvitation.objects.filter(pk=invitation.pk).exists()


# --- requests -------------------------------------------------------------------------------


def test_request_to_organize_returns_existing_pending(group, user):
    first, created = request_to_organize(group=group, user=user, message="Let me help")
    again, created_again = request_to_organize(group=group, user=user, message="Please")
    assert created and not created_again and first.pk == again.pk
    assert OrganizerRequest.objects.filter(group=group, user=user).count() == 1


def test_request_to_organize_refuses_organizers(group, organizer):
    with pytest.raises(GroupError) as info:
        request_to_organize(group=group, user=organizer)
    assert "already_organizer" in _codes(info.value)


def test_request_to_organize_again_after_decline(group, organizer, user):
    request, _ = request_to_organize(group=group, user=user)
    decide_request(request=request, by=organizer, approve=False)
    again, created = request_to_organize(group=group, user=user)
    assert created and again.pk != request.pk


def test_decide_request_approve_adds_organizer(group, organizer, user):
    request, _ = request_to_organize(group=group, user=user)
    decide_request(request=request, by=organizer, approve=True)
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED and request.decided_by == organizer
    assert Organizer.objects.get(group=group, user=user).role == Role.ORGANIZER
    assert can_manage_group(user, group)


def test_decide_request_decline_adds_nobody(group, organizer, user):
    request, _ = request_to_organize(group=group, user=user)
    decide_request(request=request, by=organizer, approve=False)
    request.refresh_from_db()
    assert request.status == RequestStatus.DECLINED and request.decided_at is not None
    assert not Organizer.objects.filter(group=group, user=user).exists()


def test_decide_request_twice_is_refused(group, organizer, user):
    request, _ = request_to_organize(group=group, user=user)
    decide_request(request=request, by=organizer, approve=False)
    with pytest.raises(GroupError) as info:
        decide_request(request=request, by=organizer, approve=True)
    assert "decided" in _codes(info.value)
    assert not Organizer.objects.filter(group=group, user=user).exists()


def test_decide_request_by_co_organizer_allowed(group, user):
    co = OrganizerFactory(group=group, role=Role.ORGANIZER).user
    request, _ = request_to_organize(group=group, user=user)
    decide_request(request=request, by=co, approve=True)
    assert Organizer.objects.filter(group=group, user=user).exists()


@pytest.mark.parametrize("role", [Role.RECEPTION, None])
def test_decide_request_refuses_reception_and_strangers(group, user, role):
    person = UserFactory()
    if role:
        OrganizerFactory(group=group, user=person, role=role)
    request, _ = request_to_organize(group=group, user=user)
    with pytest.raises(GroupError):
        decide_request(request=request, by=person, approve=True)
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING


# --- roles and removal ----------------------------------------------------------------------


def test_change_role_by_owner(group, organizer):
    member = OrganizerFactory(group=group, role=Role.ORGANIZER)
    change_role(organizer=member, by=organizer, role=Role.RECEPTION)
    assert Organizer.objects.get(pk=member.pk).role == Role.RECEPTION


def test_change_role_refuses_non_owner(group):
    co = OrganizerFactory(group=group, role=Role.ORGANIZER)
    other = OrganizerFactory(group=group, role=Role.RECEPTION)
    with pytest.raises(GroupError):
        change_role(organizer=other, by=co.user, role=Role.OWNER)
    with pytest.raises(GroupError):
        change_role(organizer=co, by=co.user, role=Role.OWNER)
    assert Organizer.objects.get(pk=other.pk).role == Role.RECEPTION
    assert Organizer.objects.get(pk=co.pk).role == Role.ORGANIZER


def test_change_role_last_owner_cannot_be_demoted(group, organizer):
    owner = Organizer.objects.get(group=group, user=organizer)
    with pytest.raises(GroupError) as info:
        change_role(organizer=owner, by=organizer, role=Role.ORGANIZER)
    assert "last_owner" in _codes(info.value)
    assert Organizer.objects.get(pk=owner.pk).role == Role.OWNER


def test_change_role_owner_can_step_down_after_handing_over(group, organizer):
    owner = Organizer.objects.get(group=group, user=organizer)
    successor = OrganizerFactory(group=group, role=Role.ORGANIZER)
    change_role(organizer=successor, by=organizer, role=Role.OWNER)
    change_role(organizer=owner, by=organizer, role=Role.ORGANIZER)
    assert Organizer.objects.get(pk=owner.pk).role == Role.ORGANIZER
    assert role_of(organizer, group) == Role.ORGANIZER  # the per-request cache was dropped
    # Now the former owner may no longer change roles.
    with pytest.raises(GroupError):
        change_role(organizer=owner, by=organizer, role=Role.OWNER)


def test_remove_organizer_by_owner(group, organizer):
    member = OrganizerFactory(group=group, role=Role.RECEPTION)
    remove_organizer(organizer=member, by=organizer)
    assert not Organizer.objects.filter(pk=member.pk).exists()


def test_remove_organizer_last_owner_refused(group, organizer):
    owner = Organizer.objects.get(group=group, user=organizer)
    with pytest.raises(GroupError) as info:
        remove_organizer(organizer=owner, by=organizer)
    assert "last_owner" in _codes(info.value)
    assert Organizer.objects.filter(pk=owner.pk).exists()


def test_remove_organizer_one_of_two_owners(group, organizer):
    other = OrganizerFactory(group=group, role=Role.OWNER)
    remove_organizer(organizer=other, by=organizer)
    assert list(Organizer.objects.filter(group=group).values_list("user", flat=True)) == [
        organizer.pk
    ]


def test_remove_organizer_refuses_non_owner(group, organizer):
    co = OrganizerFactory(group=group, role=Role.ORGANIZER)
    owner = Organizer.objects.get(group=group, user=organizer)
    with pytest.raises(GroupError):
        remove_organizer(organizer=owner, by=co.user)
    assert Organizer.objects.filter(pk=owner.pk).exists()


def test_remove_organizer_anyone_may_leave(group):
    co = OrganizerFactory(group=group, role=Role.RECEPTION)
    remove_organizer(organizer=co, by=co.user)
    assert not Organizer.objects.filter(pk=co.pk).exists()


def test_group_error_is_a_validation_error():
    from django.core.exceptions import ValidationError

    assert issubclass(GroupError, ValidationError)
