from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import MemberFactory, OrganizerInvitationFactory, OrganizerRequestFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["group", "member", "organizerinvitation", "organizerrequest"])
def test_admin_pages_render(admin_client, group, model):
    MemberFactory(group=group)
    invitation = OrganizerInvitationFactory(group=group)
    OrganizerRequestFactory(group=group)
    response = admin_client.get(reverse(f"admin:groups_{model}_changelist"))
    assert response.status_code == 200
    obj = {"group": group, "organizerinvitation": invitation}.get(model)
    if obj is not None:
        change = admin_client.get(reverse(f"admin:groups_{model}_change", args=[obj.pk]))
        assert change.status_code == 200
        assert invitation.token not in change.content.decode()


def test_admin_cannot_add_invitation_without_token(admin_client):
    response = admin_client.get(reverse("admin:groups_organizerinvitation_add"))
    assert response.status_code == 403
