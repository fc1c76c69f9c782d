"""One access rule for an event's registrations (kaisai.registrations.access), the same on the
web and in the API: reception staff read who is registered and their answers; they neither
see e-mail addresses nor export nor change anything; another group's organizer sees nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kaisai.groups.enums import Role
from kaisai.registrations import services
from kaisai.registrations.services.questions import create_question
from tests.api.conftest import ApiClient
from tests.conftest import login
from tests.factories import EventFactory, GroupFactory, OrganizerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def door(group, organizer):
    event = EventFactory(group=group)
    frame = services.create_frame(event=event, by=organizer, capacity=5, name="General")
    question = create_question(event=event, by=organizer, label="Dietary needs?")
    guest = UserFactory(nickname="guest", display_name="Hanako", email="hanako@example.org")
    registration = services.register(frame=frame, user=guest, answers={question.pk: "vegan"})
    reception = OrganizerFactory(group=group, role=Role.RECEPTION, user=UserFactory()).user
    stranger = UserFactory(nickname="stranger")
    GroupFactory(slug="other", owner=stranger)  # an organizer, of another group
    return {"event": event, "registration": registration, "reception": reception,
            "stranger": stranger}  # fmt: skip


def _api(user) -> ApiClient:
    from kaisai.accounts.services import create_api_token

    return ApiClient(create_api_token(user=user, name="t")[1])


def _list_url(door) -> str:
    return f"/api/v1/events/{door['event'].pk}/registrations/"


def test_reception_reads_registrations_and_answers_in_the_api(door):
    response = _api(door["reception"]).get(_list_url(door))
    assert response.status_code == 200
    (row,) = response.json()
    assert row["nickname"] == "guest" and row["display_name"] == "Hanako"
    assert row["answers"] == [
        {"question_id": row["answers"][0]["question_id"], "question": "Dietary needs?",
         "value": "vegan"}
    ]  # fmt: skip
    assert "hanako@example.org" not in response.content.decode()


def test_reception_reads_the_same_on_the_web(client, door):
    login(client, door["reception"])
    pk = door["event"].pk
    listed = client.get(reverse("registrations:registrations", kwargs={"pk": pk}))
    assert listed.status_code == 200 and "Hanako" in listed.content.decode()
    detail = client.get(
        reverse(
            "registrations:registration_detail",
            kwargs={"pk": pk, "registration_id": door["registration"].pk},
        )
    )
    html = detail.content.decode()
    assert detail.status_code == 200 and "vegan" in html
    assert "hanako@example.org" not in html


def test_reception_cannot_find_people_by_email_on_web_or_api(client, door, organizer):
    assert _api(door["reception"]).get(_list_url(door), search="hanako@").json() == []
    assert len(_api(organizer).get(_list_url(door), search="hanako@").json()) == 1
    login(client, door["reception"])
    page = client.get(
        reverse("registrations:registrations", kwargs={"pk": door["event"].pk}),
        {"q": "hanako@"},
    )
    assert "Hanako" not in page.content.decode()


def test_reception_may_not_export_or_change(client, door):
    login(client, door["reception"])
    pk = door["event"].pk
    assert client.get(reverse("registrations:csv", kwargs={"pk": pk})).status_code == 403
    assert client.get(reverse("registrations:audit_log", kwargs={"pk": pk})).status_code == 403
    action = reverse(
        "registrations:registration_action",
        kwargs={"pk": pk, "registration_id": door["registration"].pk},
    )
    assert client.post(action, {"action": "cancel", "reason": "x"}).status_code == 403
    api = _api(door["reception"])
    assert api.post(f"/api/v1/events/{pk}/frames/", {"name": "X", "capacity": 1}).status_code == 403


def test_another_groups_organizer_sees_nothing_on_web_or_api(client, door):
    assert _api(door["stranger"]).get(_list_url(door)).status_code == 403
    login(client, door["stranger"])
    pk = door["event"].pk
    assert client.get(reverse("registrations:registrations", kwargs={"pk": pk})).status_code == 403
    detail = reverse(
        "registrations:registration_detail",
        kwargs={"pk": pk, "registration_id": door["registration"].pk},
    )
    assert client.get(detail).status_code == 403


def test_organizers_still_get_everything(door, organizer):
    rows = _api(organizer).get(_list_url(door)).json()
    assert rows[0]["answers"][0]["value"] == "vegan"
