"""Talk pages: organizers' list and new talk, talk page, edit, decide, withdraw, invitation,
the register page of a speakers' frame, the frame form's checkbox and the event page's talks."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaisai.core.models import OutboxMail
from kaisai.events.enums import EventStatus
from kaisai.registrations.enums import Method, Status
from kaisai.registrations.models import Frame, Registration
from kaisai.talks.enums import TalkKind, TalkState
from kaisai.talks.models import Speaker, Talk
from kaisai.talks.services import invitations
from kaisai.talks.services.proposals import register_with_talk
from tests.conftest import login
from tests.factories import UserFactory
from tests.talks.conftest import proposal
from tests.talks.factories import SpeakerFactory, TalkFactory


def manage_url(event) -> str:
    return reverse("talks:manage", kwargs={"pk": event.pk})


def talk_url(name: str, talk) -> str:
    return reverse(f"talks:{name}", kwargs={"talk_id": talk.pk})


def new_talk_data(**overrides) -> dict:
    data = {
        "title": "Feature stores in practice",
        "abstract": "A **real** story.",
        "kind": "talk",
        "duration": "25",
        "language": "ja",
        "consent_stream": "on",
        "consent_record": "on",
        "accepted": "on",
        "how": "link",
        "email": "",
        "name": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- organizers' list and new talk --------------------------------------------------------------


def test_manage_lists_talks_with_state_speakers_waitlist_and_flags(
    client, organizer, event, lt_frame, people
):
    invited = TalkFactory(event=event, title="Invited keynote", kind=TalkKind.KEYNOTE)
    invitations.invite_speaker(talk=invited, by=organizer)
    regs = [
        register_with_talk(frame=lt_frame, user=p, proposal=proposal(f"LT {i}"))
        for i, p in enumerate(people(3))
    ]
    login(client, organizer)
    response = client.get(manage_url(event))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Invited keynote" in html and "not confirmed" in html and "LT 2" in html
    rows = {talk.title: talk for talk in response.context["talks"]}
    assert rows["LT 2"].waitlist_position == 1 and rows["LT 0"].waitlist_position is None
    assert rows["LT 2"].state == TalkState.PROPOSED
    assert rows["Invited keynote"].all_confirmed is False
    assert rows["LT 0"].flags == {"slides": False, "video": False}
    assert regs[0].user.get_absolute_url() in html
    assert html.count('name="decision" value="accept"') == 1  # only the proposed one
    assert f'action="{reverse("talks:create", kwargs={"pk": event.pk})}"' in html  # add a talk


def test_manage_query_count_does_not_grow_with_talks(client, organizer, event, lt_frame, people):
    login(client, organizer)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(manage_url(event)).status_code == 200
        return len(queries)

    def add(count, prefix):
        for index, person in enumerate(people(count, prefix)):
            if index % 2:
                register_with_talk(frame=lt_frame, user=person, proposal=proposal())
            else:
                talk = TalkFactory(event=event, speaker=person)
                Speaker.objects.create(talk=talk, name="Guest")

    add(6, "a")  # 3 LTs for 2 seats: the speaker waitlist's query is there from the start
    few = count_queries()
    add(12, "b")
    assert count_queries() == few


def test_create_talk_with_invitation_link_shows_the_link_once(client, organizer, event, user):
    login(client, organizer)
    response = client.post(reverse("talks:create", kwargs={"pk": event.pk}), new_talk_data())
    assert response.status_code == 200
    talk = Talk.objects.get()
    assert (talk.state, talk.duration, talk.created_by) == (TalkState.ACCEPTED, 25, organizer)
    link = response.context["link"]
    token = re.search(r"/talks/invitation/([^/]+)/$", link).group(1)
    assert link in response.content.decode()
    assert Speaker.objects.get().invitation_hash == invitations.hash_token(token)
    assert not OutboxMail.objects.exists()
    # The speaker opens the link, logged in, and accepts.
    login(client, user)
    assert client.get(link).status_code == 200
    response = client.post(link)
    assert response.status_code == 302 and response["Location"] == talk_url("edit", talk)
    assert Speaker.objects.get().user == user and Speaker.objects.get().is_confirmed


def test_create_talk_with_mail_and_proposed_state(client, organizer, event):
    login(client, organizer)
    data = new_talk_data(how="mail", email="speaker@example.org", accepted=None)
    response = client.post(reverse("talks:create", kwargs={"pk": event.pk}), data)
    assert response.status_code == 200 and "speaker@example.org" in response.content.decode()
    assert Talk.objects.get().state == TalkState.PROPOSED
    assert OutboxMail.objects.get().to_email == "speaker@example.org"


def test_create_talk_with_guest_speaker_redirects_to_the_list(client, organizer, event):
    login(client, organizer)
    data = new_talk_data(how="guest", name="Guest Speaker")
    response = client.post(reverse("talks:create", kwargs={"pk": event.pk}), data)
    assert response.status_code == 302 and response["Location"] == manage_url(event)
    assert Speaker.objects.get().name == "Guest Speaker"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"duration": "0"}, "duration"),
        ({"how": "mail", "email": ""}, "email"),
        ({"how": "mail", "email": "not-an-address"}, "email"),
        ({"how": "guest", "name": " "}, "name"),
        ({"kind": "panel"}, "kind"),
    ],
)
def test_create_talk_bad_input_saves_nothing(client, organizer, event, overrides, field):
    login(client, organizer)
    response = client.post(
        reverse("talks:create", kwargs={"pk": event.pk}), new_talk_data(**overrides)
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert "Nothing has been saved." in response.content.decode()
    assert not Talk.objects.exists() and not Speaker.objects.exists()


def test_create_page_in_japanese(client, organizer, event):
    login(client, organizer)
    client.cookies["django_language"] = "ja"
    response = client.post(
        reverse("talks:create", kwargs={"pk": event.pk}),
        new_talk_data(title=""),
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert response.status_code == 400
    assert "このフィールドは必須です" in str(response.context["form"].errors["title"])


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


# --- registering to a speakers' frame -----------------------------------------------------------


def register_url(event) -> str:
    return reverse("registrations:register", kwargs={"pk": event.pk})


def test_register_page_asks_for_the_talk_and_creates_it(client, lt_frame, make_frame, user):
    general = make_frame(capacity=10, name="General")
    login(client, user)
    page = client.get(register_url(lt_frame.event))
    html = page.content.decode()
    assert 'name="title"' in html and "Your talk" in html
    assert page.context["form"].fields["duration"].initial == 5
    data = {"frame": lt_frame.pk, "title": "My LT", "abstract": "Short.", "duration": "5",
            "language": "ja", "consent_stream": "on", "consent_record": "on"}  # fmt: skip
    response = client.post(register_url(lt_frame.event), data)
    assert response.status_code == 302
    registration = Registration.objects.get()
    talk = Talk.objects.get()
    assert (talk.registration, talk.kind, talk.state) == (registration, "lt", "accepted")
    assert talk.speakers.get().user == user
    general.refresh_from_db()
    assert general.accepted_count == 0


def test_register_to_speakers_frame_without_title_saves_nothing(client, lt_frame, user):
    login(client, user)
    data = {"frame": lt_frame.pk, "title": " ", "duration": "5", "language": "ja"}
    response = client.post(register_url(lt_frame.event), data)
    assert response.status_code == 400
    assert "title" in response.context["form"].errors
    assert not Registration.objects.exists() and not Talk.objects.exists()


def test_register_to_general_frame_ignores_talk_fields(client, lt_frame, make_frame, user):
    general = make_frame(capacity=10, name="General")
    login(client, user)
    data = {"frame": general.pk, "title": "", "duration": "5", "language": "ja"}
    assert client.post(register_url(lt_frame.event), data).status_code == 302
    assert Registration.objects.get().frame == general and not Talk.objects.exists()


def test_register_page_without_speakers_frame_has_no_talk_fields(client, make_frame, user):
    frame = make_frame(capacity=10)
    login(client, user)
    page = client.get(register_url(frame.event))
    assert "title" not in page.context["form"].fields


# --- frame form and event page ------------------------------------------------------------------


def frame_post(**overrides) -> dict:
    data = {"name": "LT", "description": "", "capacity": "5", "method": "first_come",
            "lottery_at": "", "opens_at": "", "closes_at": "", "promotion_cutoff": "",
            "fee": "0", "order": "1"}  # fmt: skip
    data.update(overrides)
    return data


def test_frame_form_sets_and_clears_requires_talk(client, organizer, event):
    login(client, organizer)
    url = reverse("registrations:frames", kwargs={"pk": event.pk})
    assert 'name="requires_talk"' in client.get(url).content.decode()
    assert client.post(url, frame_post(requires_talk="on")).status_code == 302
    frame = Frame.objects.get()
    assert frame.requires_talk
    edit = reverse("registrations:frame_edit", kwargs={"pk": event.pk, "frame_id": frame.pk})
    assert client.post(edit, frame_post()).status_code == 302
    frame.refresh_from_db()
    assert not frame.requires_talk


def test_event_page_lists_accepted_talks_and_the_call_for_lts(client, event, lt_frame, user):
    TalkFactory(event=event, title="Accepted one", speaker=user)
    TalkFactory(event=event, title="Still proposed", state=TalkState.PROPOSED)
    html = client.get(event.get_absolute_url()).content.decode()
    assert "Accepted one" in html and "Still proposed" not in html
    assert user.get_absolute_url() in html
    assert "Propose a lightning talk" in html
    assert f"{register_url(event)}?frame={lt_frame.pk}" in html


def test_event_page_without_speakers_frame_has_no_call(client, event, make_frame):
    make_frame(capacity=10)
    html = client.get(event.get_absolute_url()).content.decode()
    assert "Propose a lightning talk" not in html


def test_event_page_talks_query_count_does_not_grow(client, event, people):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(event.get_absolute_url()).status_code == 200
        return len(queries)

    for person in people(2, "a"):
        TalkFactory(event=event, speaker=person)
    few = count_queries()
    for person in people(10, "b"):
        TalkFactory(event=event, speaker=person)
    assert count_queries() == few


def test_my_registration_page_links_the_proposed_talk(client, organizer, group):
    from kaisai.registrations import services as registration_services
    from kaisai.talks.services.proposals import TalkProposal, register_with_talk
    from tests.factories import EventFactory, UserFactory

    event = EventFactory(group=group)
    lt = registration_services.create_frame(
        event=event, by=organizer, capacity=3, name="LT", method="approval", requires_talk=True
    )
    speaker = UserFactory()
    register_with_talk(frame=lt, user=speaker, proposal=TalkProposal(title="Tiny GPUs"))
    client.force_login(speaker)
    page = client.get(f"/events/{event.pk}/registration/").content.decode()
    assert "Your talk:" in page and "Tiny GPUs" in page and "Proposed" in page
