"""Who may do what with talks: the talk's speaker, the event's organizers (owner, organizer),
reception staff, an outsider (organizer of another group), another user, anonymous."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import reverse

from kaisai.groups.enums import Role
from kaisai.talks.enums import TalkState
from kaisai.talks.models import Speaker, Talk
from tests.conftest import login
from tests.factories import OrganizerFactory, UserFactory
from tests.talks.factories import TalkFactory


@dataclass
class World:
    event: object
    talk: Talk
    speaker: object
    reception: object
    other: object


@pytest.fixture
def world(event, group):
    speaker = UserFactory(nickname="speaker")
    talk = TalkFactory(event=event, state=TalkState.PROPOSED, speaker=speaker, title="Secret")
    reception = OrganizerFactory(group=group, role=Role.RECEPTION).user
    return World(event, talk, speaker, reception, UserFactory(nickname="other"))


def snapshot():
    return [
        list(Talk.objects.order_by("pk").values_list("pk", "title", "state", "duration")),
        list(Speaker.objects.order_by("pk").values_list("pk", "user_id", "name", "confirmed_at")),
    ]


def requests(world: World):
    """(name, method, url, data) for every talk URL that needs a login."""
    talk, event = world.talk, world.event
    edit = reverse("talks:edit", kwargs={"talk_id": talk.pk})
    return [
        ("manage", "get", reverse("talks:manage", kwargs={"pk": event.pk}), {}),
        ("create_get", "get", reverse("talks:create", kwargs={"pk": event.pk}), {}),
        ("create", "post", reverse("talks:create", kwargs={"pk": event.pk}),
         {"title": "X", "duration": "5", "language": "ja", "kind": "talk", "how": "none"}),
        ("edit_get", "get", edit, {}),
        ("edit", "post", edit, {"action": "save", "title": "Hacked", "duration": "5",
                                "language": "ja", "kind": "talk"}),
        ("add_speaker", "post", edit, {"action": "speaker", "speaker-how": "guest",
                                       "speaker-name": "Mallory"}),
        ("decide", "post", reverse("talks:decide", kwargs={"talk_id": talk.pk}),
         {"decision": "accept"}),
        ("withdraw", "post", reverse("talks:withdraw", kwargs={"talk_id": talk.pk}), {}),
    ]  # fmt: skip


NAMES = ["manage", "create_get", "create", "edit_get", "edit", "add_speaker", "decide",
         "withdraw"]  # fmt: skip


def send(client, world, name):
    _name, method, url, data = next(r for r in requests(world) if r[0] == name)
    return getattr(client, method)(url, data)


@pytest.mark.parametrize("name", NAMES)
def test_anonymous_is_sent_to_login(client, world, name):
    before = snapshot()
    response = send(client, world, name)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert snapshot() == before


@pytest.mark.parametrize("who", ["outsider", "other", "reception"])
@pytest.mark.parametrize("name", NAMES)
def test_others_are_refused_and_nothing_changes(client, world, outsider, who, name):
    person = {"outsider": outsider, "other": world.other, "reception": world.reception}[who]
    login(client, person)
    before = snapshot()
    assert send(client, world, name).status_code in (403, 404)
    assert snapshot() == before


SPEAKER_ALLOWED = {"edit_get": 200, "edit": 302, "withdraw": 302}


@pytest.mark.parametrize("name", NAMES)
def test_speaker_edits_and_withdraws_but_does_not_manage(client, world, name):
    login(client, world.speaker)
    before = snapshot()
    response = send(client, world, name)
    if name in SPEAKER_ALLOWED:
        assert response.status_code == SPEAKER_ALLOWED[name]
    else:
        assert response.status_code in (403, 404)
        assert snapshot() == before


@pytest.mark.parametrize("name", NAMES)
def test_organizer_may_do_everything(client, world, organizer, name):
    login(client, organizer)
    assert send(client, world, name).status_code in (200, 302)


def test_co_organizer_may_decide(client, world, group):
    co = OrganizerFactory(group=group, role=Role.ORGANIZER).user
    login(client, co)
    send(client, world, "decide")
    assert Talk.objects.get(pk=world.talk.pk).state == TalkState.ACCEPTED


def test_outsider_sees_an_accepted_talk_but_cannot_edit_it(client, world, outsider):
    Talk.objects.filter(pk=world.talk.pk).update(state=TalkState.ACCEPTED)
    login(client, outsider)
    assert client.get(reverse("talks:detail", kwargs={"talk_id": world.talk.pk})).status_code == 200
    assert send(client, world, "edit_get").status_code == 403
    assert send(client, world, "edit").status_code == 403
    assert send(client, world, "withdraw").status_code == 403
    assert Talk.objects.get(pk=world.talk.pk).title == "Secret"


def test_reception_sees_a_proposed_talk_but_cannot_edit(client, world):
    login(client, world.reception)
    assert client.get(reverse("talks:detail", kwargs={"talk_id": world.talk.pk})).status_code == 200
