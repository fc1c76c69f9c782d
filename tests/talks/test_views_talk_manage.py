"""Talk pages for organizers: the event's talk list and adding a talk (invitation link, mail
or guest speaker)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaisai.core.models import OutboxMail
from kaisai.talks.enums import TalkKind, TalkState
from kaisai.talks.models import Speaker, Talk
from kaisai.talks.services import invitations
from kaisai.talks.services.proposals import register_with_talk
from tests.conftest import login
from tests.talks.conftest import proposal
from tests.talks.factories import TalkFactory
from tests.talks.talk_views_helpers import manage_url, talk_url


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
