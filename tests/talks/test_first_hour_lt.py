"""Issue 14, item 3: frames and LTs. (a) a change of frame into the speakers' frame asks for the
talk; (b) a registered attendee proposes an LT — moving into the speakers' frame or keeping
their seat, as the frame says (`speakers_keep_seat`); (c) whether those not drawn in a lottery
may take a first-come frame is the organizers' choice (`accepts_lottery_losers`)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kaisai.registrations import services
from kaisai.registrations.enums import Method, Status
from kaisai.registrations.errors import RegistrationError
from kaisai.registrations.models import Frame, Registration
from kaisai.talks.enums import TalkState
from kaisai.talks.models import Talk
from tests.conftest import login
from tests.talks.conftest import proposal

TALK = {"talk-title": "My LT", "talk-abstract": "Short.", "talk-duration": "5",
        "talk-language": "ja", "talk-consent_stream": "on",
        "talk-consent_record": "on"}  # fmt: skip


def counts(frame: Frame) -> tuple[int, int]:
    """(counter, fact) of a frame's accepted registrations."""
    frame.refresh_from_db()
    fact = Registration.objects.filter(frame=frame, status=Status.ACCEPTED).count()
    return frame.accepted_count, fact


# --- (a) --------------------------------------------------------------------------------------


def test_change_frame_into_the_speakers_frame_needs_a_talk(client, lt_frame, make_frame, user):
    general = make_frame(capacity=5, name="General")
    registration = services.register(frame=general, user=user)
    with pytest.raises(RegistrationError) as refused:
        services.change_frame(registration=registration, to_frame=lt_frame, by=user)
    assert refused.value.reason == "talk_required"
    login(client, user)
    url = reverse("registrations:change_frame", kwargs={"pk": lt_frame.event_id})
    client.post(url, {"frame": lt_frame.pk})
    registration.refresh_from_db()
    assert registration.frame_id == general.pk and not Talk.objects.exists()
    client.post(url, {"frame": lt_frame.pk, **TALK})
    registration.refresh_from_db()
    assert registration.frame_id == lt_frame.pk
    assert Talk.objects.get().registration == registration


# --- (b) --------------------------------------------------------------------------------------


def propose_url(frame: Frame) -> str:
    return reverse("registrations:propose_talk", kwargs={"pk": frame.event_id})


def test_the_lt_button_of_a_registered_attendee_leads_to_a_proposal(
    client, lt_frame, make_frame, user
):
    general = make_frame(capacity=5, name="General")
    services.register(frame=general, user=user)
    login(client, user)
    register = reverse("registrations:register", kwargs={"pk": lt_frame.event_id})
    response = client.get(f"{register}?frame={lt_frame.pk}")
    assert response.status_code == 302
    assert response["Location"] == f"{propose_url(lt_frame)}?frame={lt_frame.pk}"
    page = client.get(response["Location"]).content.decode()
    assert 'name="talk-title"' in page and "moves you into" in page
    assert (
        "Propose a lightning talk" in client.get(lt_frame.event.get_absolute_url()).content.decode()
    )


def test_proposing_moves_the_attendee_into_the_speakers_frame(client, lt_frame, make_frame, user):
    general = make_frame(capacity=5, name="General")
    registration = services.register(frame=general, user=user)
    login(client, user)
    response = client.post(propose_url(lt_frame), {"frame": lt_frame.pk, **TALK})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert (registration.frame_id, registration.status) == (lt_frame.pk, Status.ACCEPTED)
    talk = Talk.objects.get()
    assert (talk.registration_id, talk.state) == (registration.pk, TalkState.ACCEPTED)
    assert counts(general) == (0, 0) and counts(lt_frame) == (1, 1)


def test_proposing_keeps_the_seat_when_the_frame_says_so(client, lt_frame, make_frame, user):
    services.update_frame(frame=lt_frame, by=None, speakers_keep_seat=True)
    general = make_frame(capacity=5, name="General")
    registration = services.register(frame=general, user=user)
    login(client, user)
    page = client.get(f"{propose_url(lt_frame)}?frame={lt_frame.pk}").content.decode()
    assert "You keep your seat" in page
    response = client.post(propose_url(lt_frame), {"frame": lt_frame.pk, **TALK})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert (registration.frame_id, registration.status) == (general.pk, Status.ACCEPTED)
    talk = Talk.objects.get()
    assert (talk.registration_id, talk.kind, talk.state) == (None, "lt", TalkState.PROPOSED)
    assert talk.speakers.get().user == user
    assert counts(general) == (1, 1) and counts(lt_frame) == (0, 0)
    # one open proposal per person
    with pytest.raises(RegistrationError) as again:
        services.propose_talk(registration=registration, frame=lt_frame, talk=proposal(), by=user)
    assert again.value.reason == "talk_exists"
    assert Talk.objects.count() == 1


def test_a_bad_proposal_writes_nothing(client, lt_frame, make_frame, user):
    general = make_frame(capacity=5, name="General")
    registration = services.register(frame=general, user=user)
    login(client, user)
    response = client.post(propose_url(lt_frame), {"frame": lt_frame.pk, **TALK, "talk-title": ""})
    assert response.status_code == 400
    registration.refresh_from_db()
    assert registration.frame_id == general.pk and not Talk.objects.exists()


def test_the_event_page_and_the_frame_form_show_the_choice(client, lt_frame, organizer, user):
    page = client.get(lt_frame.event.get_absolute_url()).content.decode()
    assert "Proposing a talk moves you into this frame" in page
    services.update_frame(frame=lt_frame, by=None, speakers_keep_seat=True)
    page = client.get(lt_frame.event.get_absolute_url()).content.decode()
    assert "Attendees propose a talk and keep their seat." in page
    login(client, organizer)
    edit = reverse(
        "registrations:frame_edit", kwargs={"pk": lt_frame.event_id, "frame_id": lt_frame.pk}
    )
    form = client.get(edit).content.decode()
    assert 'name="speakers_keep_seat"' in form and 'name="accepts_lottery_losers"' in form


def test_an_organizer_of_another_group_cannot_change_the_setting(client, lt_frame, outsider):
    login(client, outsider)
    edit = reverse(
        "registrations:frame_edit", kwargs={"pk": lt_frame.event_id, "frame_id": lt_frame.pk}
    )
    response = client.post(edit, {"name": "LT", "capacity": 2, "method": "first_come",
                                  "speakers_keep_seat": "on"})  # fmt: skip
    assert response.status_code in (403, 404)
    lt_frame.refresh_from_db()
    assert not lt_frame.speakers_keep_seat


# --- (c) --------------------------------------------------------------------------------------


@pytest.fixture
def drawn(make_frame, people):
    """A lottery of one seat drawn among two: the one not drawn is on its waitlist; a
    first-come frame with seats."""
    lottery = make_frame(capacity=1, method=Method.LOTTERY, name="Lottery")
    first_come = make_frame(capacity=5, name="Remaining seats")
    for person in people(2):
        services.register(frame=lottery, user=person)
    services.draw_lottery(frame=lottery, force=True)
    loser = Registration.objects.get(frame=lottery, status=Status.WAITLISTED)
    return lottery, first_come, loser


def change_url(frame: Frame) -> str:
    return reverse("registrations:change_frame", kwargs={"pk": frame.event_id})


def test_one_not_drawn_moves_to_a_first_come_frame_by_default(drawn, client):
    _lottery, first_come, loser = drawn
    assert first_come.accepts_lottery_losers
    login(client, loser.user)
    mine = client.get(reverse("registrations:mine", kwargs={"pk": first_come.event_id}))
    assert f'value="{first_come.pk}"' in mine.content.decode()
    client.post(change_url(first_come), {"frame": first_come.pk})
    loser.refresh_from_db()
    assert (loser.frame_id, loser.status) == (first_come.pk, Status.ACCEPTED)
    assert counts(first_come) == (1, 1)


def test_a_first_come_frame_closed_to_those_not_drawn_refuses_them(drawn, client, user):
    lottery, first_come, loser = drawn
    services.update_frame(frame=first_come, by=None, accepts_lottery_losers=False)
    first_come.refresh_from_db()
    with pytest.raises(RegistrationError) as refused:
        services.change_frame(registration=loser, to_frame=first_come, by=loser.user)
    assert refused.value.reason == "lottery_losers_excluded"
    login(client, loser.user)
    mine = client.get(reverse("registrations:mine", kwargs={"pk": first_come.event_id}))
    assert f'value="{first_come.pk}"' not in mine.content.decode()
    client.post(change_url(first_come), {"frame": first_come.pk})
    loser.refresh_from_db()
    assert (loser.frame_id, loser.status) == (lottery.pk, Status.WAITLISTED)
    assert counts(first_come) == (0, 0)
    # anyone else still registers there
    assert services.register(frame=first_come, user=user).status == Status.ACCEPTED
    page = client.get(first_come.event.get_absolute_url()).content.decode()
    assert "Not open to those not drawn in the lottery." in page


def test_a_rejected_lottery_application_cannot_register_there_either(drawn, organizer):
    lottery, first_come, loser = drawn
    services.update_frame(frame=first_come, by=None, accepts_lottery_losers=False)
    first_come.refresh_from_db()
    services.cancel_registration(registration=loser, by=organizer)
    Registration.objects.filter(pk=loser.pk).update(status=Status.REJECTED)
    with pytest.raises(RegistrationError) as refused:
        services.register(frame=first_come, user=loser.user)
    assert refused.value.reason == "lottery_losers_excluded"


def test_the_api_sets_and_shows_both_settings(lt_frame, make_frame, organizer):
    from kaisai.accounts.services import create_api_token
    from tests.api.conftest import ApiClient

    first_come = make_frame(capacity=5, name="Remaining seats")
    api = ApiClient(create_api_token(user=organizer, name="tests")[1])

    def patch(frame, data):
        return api.client.patch(
            f"/api/v1/frames/{frame.pk}/", data, content_type="application/json",
            headers=api.headers,
        )  # fmt: skip

    changed = patch(lt_frame, {"speakers_keep_seat": True})
    assert changed.status_code == 200 and changed.json()["speakers_keep_seat"] is True
    assert (
        patch(first_come, {"accepts_lottery_losers": False}).json()["accepts_lottery_losers"]
        is False
    )
    body = api.get(f"/api/v1/events/{lt_frame.event_id}/").json()
    frames = {frame["name"]: frame for frame in body["frames"]}
    assert frames["LT"]["speakers_keep_seat"] and frames["LT"]["requires_talk"]
    assert not frames["Remaining seats"]["accepts_lottery_losers"]
