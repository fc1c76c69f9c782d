"""Materials (資料), deleting: the service (speaker of the talk, organizers) and the view."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from kaisai.talks.models import Material
from kaisai.talks.services.materials import delete_material
from tests.conftest import login
from tests.factories import UserFactory
from tests.talks import materials_helpers
from tests.talks.factories import MaterialFactory, TalkFactory

# The materials fixtures, bound by name so that pytest finds them in this module.
event = materials_helpers.event
speaker = materials_helpers.speaker
talk = materials_helpers.talk


# --- services: delete ---------------------------------------------------------------------


def test_delete_by_speaker_and_organizer(talk, speaker, organizer):
    first = MaterialFactory(talk=talk)
    second = MaterialFactory(talk=talk)
    delete_material(by=speaker, material=first)
    delete_material(by=organizer, material=second)
    assert not Material.objects.exists()


def test_delete_refused_for_others(talk, outsider, user):
    material = MaterialFactory(talk=talk)
    other_speaker = UserFactory()
    TalkFactory(event=talk.event, speaker=other_speaker)
    event_level = MaterialFactory(talk=None, event=talk.event)
    for person in (outsider, user, other_speaker):
        with pytest.raises(PermissionDenied):
            delete_material(by=person, material=material)
    speaker = talk.speakers.get().user
    with pytest.raises(PermissionDenied):
        delete_material(by=speaker, material=event_level)
    assert Material.objects.count() == 2


# --- page -------------------------------------------------------------------------------------


def test_delete_views(client, talk, speaker, outsider, user, organizer):
    material = MaterialFactory(talk=talk)
    url = reverse("talks:material_delete", kwargs={"material_id": material.pk})
    response = client.post(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert login(client, outsider).post(url).status_code == 403
    assert login(client, user).post(url).status_code == 403
    assert login(client, speaker).get(url).status_code == 405
    assert Material.objects.exists()
    response = login(client, speaker).post(url)
    assert response.status_code == 302
    assert not Material.objects.exists()
    event_level = MaterialFactory(talk=None, event=talk.event)
    url = reverse("talks:material_delete", kwargs={"material_id": event_level.pk})
    assert login(client, speaker).post(url).status_code == 403
    assert login(client, organizer).post(url).status_code == 302
    assert login(client, organizer).post(url).status_code == 404
