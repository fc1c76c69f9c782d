"""Speakers' frames (登壇枠) in the registration pages: the register page asks for the talk,
the frame form's checkbox, the event page's talks and call for LTs, my registration's talk."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaisai.registrations.models import Frame, Registration
from kaisai.talks.enums import TalkState
from kaisai.talks.models import Talk
from tests.conftest import login
from tests.talks.factories import TalkFactory

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
