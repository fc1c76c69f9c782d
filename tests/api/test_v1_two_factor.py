"""The API answers a group's two-factor requirement with a 403 and its reason."""

from __future__ import annotations

import pytest

from kaisai.groups.enums import Role
from tests.accounts.test_two_factor import with_totp
from tests.factories import EventFactory, GroupFactory, OrganizerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_organizer_without_two_factor_gets_a_reasoned_403(api_as):
    owner = UserFactory()
    group = GroupFactory(owner=owner, require_mfa=True)
    event = EventFactory(group=group)
    helper = OrganizerFactory(group=group, role=Role.ORGANIZER).user
    url = f"/api/v1/events/{event.pk}/frames/"
    response = api_as(helper).get(url)
    assert response.status_code == 403
    assert response.json()["reason"] == "mfa_required"
    with_totp(helper)
    assert api_as(helper).get(url).status_code == 200
