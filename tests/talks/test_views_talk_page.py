"""Talk pages of one talk: the talk page, edit (speakers too), decide, withdraw, invitation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kaisai.core.models import OutboxMail
from kaisai.events.enums import EventStatus
from kaisai.registrations.enums import Method, Status
from kaisai.registrations.models import Registration
from kaisai.talks.enums import TalkKind, TalkState
from kaisai.talks.models import Speaker, Talk
from kaisai.talks.services import invitations
from kaisai.talks.services.proposals import register_with_talk
from tests.conftest import login
from tests.factories import UserFactory
from tests.talks.conftest import proposal
from tests.talks.factories import SpeakerFactory, TalkFactory
from tests.talks.talk_views_helpers import manage_url, talk_url

# --- talk page, edit, decide, withdraw ----------------------------------------------------------


def test_talk_page_public_when_accepted_on_a_public_event(client, event, user):
    abstract = "Uses **bold** <script>alert(1)</script>"
    talk = TalkFactory(event=event, abstract=abstract, speaker=user)
    response = client.get(talk_url("detail", talk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>bold</strong>" in html and "<script>alert" not in html
    assert user.get_absolute_url() in html


@pytest.mark.parametrize("state", [TalkState.PROPOSED, TalkState.REJECTED, TalkState.WITHDRAWN])
def test_undecided_talk_hidden_from_others_but_shown_to_speaker_and_organizers(
    client, event, organizer, user, state
):
    talk = TalkFactory(event=event, state=state, speaker=user)
    assert client.get(talk_url("detail", talk)).status_code == 404
    login(client, UserFactory(nickname="someone"))
    assert client.get(talk_url("detail", talk)).status_code == 404
    login(client, user)
    assert client.get(talk_url("detail", talk)).status_code == 200
    login(client, organizer)
    assert client.get(talk_url("detail", talk)).status_code == 200


def test_talk_of_a_draft_event_hidden(client, group, user):
    from tests.factories import EventFactory

    draft = EventFactory(group=group, status=EventStatus.DRAFT)
    talk = TalkFactory(event=draft)
    assert client.get(talk_url("detail", talk)).status_code == 404


def test_speaker_edits_the_talk(client, event, user):
    talk = TalkFactory(event=event, speaker=user, kind=TalkKind.TALK)
    login(client, user)
    page = client.get(talk_url("edit", talk))
    assert page.status_code == 200 and "kind" not in page.context["form"].fields
    data = {"action": "save", "title": "Better title", "abstract": "x", "duration": "30",
            "language": "en", "consent_stream": "on", "kind": "keynote"}  # fmt: skip
    response = client.post(talk_url("edit", talk), data)
    assert response.status_code == 302
    talk.refresh_from_db()
    assert (talk.title, talk.duration, talk.language, talk.consent_record, talk.kind) == (
        "Better title", 30, "en", False, TalkKind.TALK
    )  # fmt: skip


def test_edit_bad_input_saves_nothing(client, event, user):
    talk = TalkFactory(event=event, speaker=user, title="Kept")
    login(client, user)
    data = {"action": "save", "title": "", "duration": "5", "language": "ja"}
    response = client.post(talk_url("edit", talk), data)
    assert response.status_code == 400 and "title" in response.context["form"].errors
    assert Talk.objects.get(pk=talk.pk).title == "Kept"


def test_organizer_adds_and_removes_speakers_on_the_edit_page(client, organizer, event):
    talk = TalkFactory(event=event)
    login(client, organizer)
    url = talk_url("edit", talk)
    guest_data = {"action": "speaker", "speaker-how": "guest", "speaker-name": "Ada"}
    response = client.post(url, guest_data)
    assert response.status_code == 302
    guest = Speaker.objects.get(name="Ada")
    response = client.post(url, {"action": "speaker", "speaker-how": "link"})
    assert response.status_code == 200 and "/talks/invitation/" in response.context["link"]
    response = client.post(url, {"action": "speaker", "speaker-how": "mail"})
    assert response.status_code == 400 and "email" in response.context["speaker_form"].errors
    assert client.post(url, {"action": "remove", "speaker": guest.pk}).status_code == 302
    assert not Speaker.objects.filter(pk=guest.pk).exists()
    assert talk.speakers.count() == 1


def test_speaker_cannot_add_or_remove_speakers(client, event, user):
    talk = TalkFactory(event=event, speaker=user)
    guest = Speaker.objects.create(talk=talk, name="Ada")
    login(client, user)
    url = talk_url("edit", talk)
    data = {"action": "speaker", "speaker-how": "guest", "speaker-name": "X"}
    assert client.post(url, data).status_code == 403
    assert client.post(url, {"action": "remove", "speaker": guest.pk}).status_code == 403
    assert talk.speakers.count() == 2


def test_speaker_confirms_on_the_edit_page(client, event, user):
    talk = TalkFactory(event=event)
    row = SpeakerFactory(talk=talk, user=user)
    login(client, user)
    assert "Confirm my talk" in client.get(talk_url("edit", talk)).content.decode()
    assert client.post(talk_url("edit", talk), {"action": "confirm"}).status_code == 302
    assert Speaker.objects.get(pk=row.pk).is_confirmed


def test_decide_accept_and_reject(client, organizer, event, user):
    talk = TalkFactory(event=event, state=TalkState.PROPOSED, speaker=user)
    login(client, organizer)
    response = client.post(talk_url("decide", talk), {"decision": "accept"})
    assert response.status_code == 302 and response["Location"] == manage_url(event)
    assert Talk.objects.get(pk=talk.pk).state == TalkState.ACCEPTED
    assert OutboxMail.objects.get().template == "talk_accepted"
    client.post(talk_url("decide", talk), {"decision": "reject"})
    assert Talk.objects.get(pk=talk.pk).state == TalkState.REJECTED


def test_decide_full_lt_frame_says_why(client, organizer, make_frame, people):
    frame = make_frame(capacity=1, method=Method.APPROVAL, name="LT", requires_talk=True)
    regs = [register_with_talk(frame=frame, user=p, proposal=proposal()) for p in people(2)]
    login(client, organizer)
    for registration in regs:
        talk = Talk.objects.get(registration=registration)
        client.post(talk_url("decide", talk), {"decision": "accept"})
    response = client.get(manage_url(frame.event))
    assert "The frame is full" in response.content.decode()
    states = [Registration.objects.get(pk=r.pk).status for r in regs]
    assert states == [Status.ACCEPTED, Status.APPLIED]


def test_decide_is_post_only(client, organizer, event):
    talk = TalkFactory(event=event, state=TalkState.PROPOSED)
    login(client, organizer)
    assert client.get(talk_url("decide", talk)).status_code == 405
    assert Talk.objects.get(pk=talk.pk).state == TalkState.PROPOSED


def test_speaker_withdraws_an_lt_talk_and_the_seat(client, lt_frame, user):
    registration = register_with_talk(frame=lt_frame, user=user, proposal=proposal())
    talk = Talk.objects.get(registration=registration)
    login(client, user)
    assert client.post(talk_url("withdraw", talk)).status_code == 302
    assert Talk.objects.get(pk=talk.pk).state == TalkState.WITHDRAWN
    assert Registration.objects.get(pk=registration.pk).status == Status.CANCELLED


def test_participant_cancel_withdraws_the_talk(client, lt_frame, user):
    registration = register_with_talk(frame=lt_frame, user=user, proposal=proposal())
    login(client, user)
    client.post(reverse("registrations:cancel", kwargs={"pk": lt_frame.event_id}))
    assert Talk.objects.get(registration=registration).state == TalkState.WITHDRAWN


# --- invitation page ----------------------------------------------------------------------------


def test_invitation_pages_for_bad_links(client, organizer, event, user):
    login(client, user)
    response = client.get(reverse("talks:invitation", kwargs={"token": "nope"}))
    assert response.status_code == 404 and "not valid" in response.content.decode()
    talk = TalkFactory(event=event)
    _speaker, token = invitations.invite_speaker(talk=talk, by=organizer)
    invitations.accept_invitation(token=token, user=UserFactory(nickname="first"))
    url = reverse("talks:invitation", kwargs={"token": token})
    response = client.get(url)
    assert response.status_code == 410 and "already been accepted" in response.content.decode()
    assert client.post(url).status_code == 410
    assert not Speaker.objects.filter(user=user).exists()


def test_invitation_needs_login(client, organizer, event):
    talk = TalkFactory(event=event)
    _speaker, token = invitations.invite_speaker(talk=talk, by=organizer)
    url = reverse("talks:invitation", kwargs={"token": token})
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert client.post(url).status_code == 302
    assert Speaker.objects.get().user is None
