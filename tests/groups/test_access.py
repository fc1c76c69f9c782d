"""groups.access: the group for a page that manages it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from kaisai.groups.access import managed_group_or_403
from kaisai.groups.enums import Role
from tests.factories import GroupFactory, MemberFactory, OrganizerFactory, UserFactory


@pytest.mark.parametrize(
    ("role", "allowed"), [(Role.OWNER, True), (Role.ORGANIZER, True), (Role.RECEPTION, False)]
)
def test_managed_group_or_403_by_role(db, role, allowed):
    group = GroupFactory()
    user = OrganizerFactory(group=group, role=role).user
    if allowed:
        assert managed_group_or_403(user, group.slug) == group
    else:
        with pytest.raises(PermissionDenied):
            managed_group_or_403(user, group.slug)


def test_managed_group_or_403_refuses_others(db):
    group = GroupFactory()
    member = MemberFactory(group=group).user
    other_owner = UserFactory()
    GroupFactory(owner=other_owner)
    for user in (AnonymousUser(), UserFactory(), member, other_owner):
        with pytest.raises(PermissionDenied):
            managed_group_or_403(user, group.slug)


def test_managed_group_or_403_unknown_group_is_404(db):
    with pytest.raises(Http404):
        managed_group_or_403(UserFactory(), "no-such-group")
