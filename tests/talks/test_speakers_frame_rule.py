"""The speakers'-frame rule is the registration service's: a frame with `requires_talk` takes
a registration only with a talk proposal — registering, and changing or moving into it."""

from __future__ import annotations

import pytest

from kaisai.registrations import services
from kaisai.registrations.enums import Status
from kaisai.registrations.errors import RegistrationError
from kaisai.registrations.models import Registration
from kaisai.talks.enums import TalkState
from kaisai.talks.models import Talk
from tests.conftest import login
from tests.registrations.participant_helpers import messages_of, url
from tests.talks.conftest import proposal


def test_register_to_a_speakers_frame_without_a_talk_is_refused(lt_frame, user):
    with pytest.raises(RegistrationError) as caught:
        services.register(frame=lt_frame, user=user)
    assert caught.value.reason == "talk_required"
    assert "talk" in caught.value.message_dict
    assert not Registration.objects.exists() and not Talk.objects.exists()


def test_register_with_a_talk_writes_both(lt_frame, user):
    registration = services.register(frame=lt_frame, user=user, talk=proposal())
    assert registration.just_created and registration.status == Status.ACCEPTED
    talk = Talk.objects.get(registration=registration)
    assert (talk.title, talk.state) == ("Rust in 5 minutes", TalkState.ACCEPTED)


def test_a_talk_for_an_ordinary_frame_is_refused(make_frame, user):
    with pytest.raises(RegistrationError) as caught:
        services.register(frame=make_frame(capacity=3), user=user, talk=proposal())
    assert caught.value.reason == "no_talks"


def test_change_frame_into_the_speakers_frame_without_a_talk_is_refused(lt_frame, make_frame, user):
    """The defect users hit: changing frame put someone on the LT frame without a talk."""
    general = make_frame(capacity=5, name="General")
    registration = services.register(frame=general, user=user)
    with pytest.raises(RegistrationError) as caught:
        services.change_frame(registration=registration, to_frame=lt_frame, by=user)
    assert caught.value.reason == "talk_required"
    registration.refresh_from_db()
    assert registration.frame == general and registration.status == Status.ACCEPTED
    lt_frame.refresh_from_db()
    assert lt_frame.accepted_count == 0 and not Talk.objects.exists()


def test_organizer_move_into_the_speakers_frame_needs_a_talk(lt_frame, make_frame, user, organizer):
    registration = services.register(frame=make_frame(capacity=5, name="General"), user=user)
    with pytest.raises(RegistrationError):
        services.move_registration(registration=registration, to_frame=lt_frame, by=organizer)
    moved = services.move_registration(
        registration=registration, to_frame=lt_frame, by=organizer, talk=proposal("Moved in")
    )
    assert moved.frame == lt_frame
    assert Talk.objects.get(registration=moved).title == "Moved in"


def test_change_frame_into_the_speakers_frame_with_a_talk_writes_it(lt_frame, make_frame, people):
    general = make_frame(capacity=5, name="General")
    first, second, third = people(3)
    for person in (first, second):  # the LT frame's two seats are taken
        services.register(frame=lt_frame, user=person, talk=proposal(person.nickname))
    registration = services.register(frame=general, user=third)
    moved = services.change_frame(
        registration=registration, to_frame=lt_frame, by=third, talk=proposal("Late talk")
    )
    assert (moved.frame, moved.status) == (lt_frame, Status.WAITLISTED)
    talk = Talk.objects.get(registration=moved)
    assert (talk.title, talk.state) == ("Late talk", TalkState.PROPOSED)
    assert [s.user for s in talk.speakers.all()] == [third]
    # A freed speaker seat promotes the move's registration, and its talk with it.
    services.cancel_registration(registration=Registration.objects.get(user=first), by=first)
    assert Talk.objects.get(registration=moved).state == TalkState.ACCEPTED


def test_invalid_talk_on_change_frame_writes_nothing(lt_frame, make_frame, user):
    general = make_frame(capacity=5, name="General")
    registration = services.register(frame=general, user=user)
    with pytest.raises(RegistrationError) as caught:
        services.change_frame(
            registration=registration, to_frame=lt_frame, by=user, talk=proposal(duration=0)
        )
    assert "duration" in caught.value.message_dict
    registration.refresh_from_db()
    assert registration.frame == general and not Talk.objects.exists()


# --- the participant's change-frame page -------------------------------------------------------


def test_my_registration_page_asks_for_the_talk_when_a_speakers_frame_is_offered(
    client, event, lt_frame, make_frame, user
):
    services.register(frame=make_frame(capacity=5, name="General"), user=user)
    page = login(client, user).get(url("mine", event)).content.decode()
    assert 'name="talk-title"' in page and 'name="talk-abstract"' in page


def test_change_frame_page_without_a_title_refuses_with_a_clear_message(
    client, event, lt_frame, make_frame, user
):
    general = make_frame(capacity=5, name="General")
    registration = services.register(frame=general, user=user)
    response = login(client, user).post(
        url("change_frame", event), {"frame": lt_frame.pk, "talk-title": ""}, follow=True
    )
    assert any("needs the title of your talk" in message for message in messages_of(response))
    registration.refresh_from_db()
    assert registration.frame == general and not Talk.objects.exists()


def test_change_frame_page_with_a_title_moves_and_proposes(
    client, event, lt_frame, make_frame, user
):
    registration = services.register(frame=make_frame(capacity=5, name="General"), user=user)
    form = {
        "frame": lt_frame.pk, "talk-title": "My LT", "talk-abstract": "Short.",
        "talk-duration": 5, "talk-language": "en", "talk-consent_stream": "on",
    }  # fmt: skip
    login(client, user).post(url("change_frame", event), form)
    registration.refresh_from_db()
    assert registration.frame == lt_frame and registration.status == Status.ACCEPTED
    talk = Talk.objects.get(registration=registration)
    assert (talk.title, talk.language, talk.consent_stream, talk.consent_record) == (
        "My LT", "en", True, False
    )  # fmt: skip


def test_a_too_long_title_gets_only_the_length_error(client, event, lt_frame, make_frame, user):
    """A 10,000-character title is not "missing": the page says only that it is too long."""
    long_title = "L" * 10_000
    login(client, user)
    response = client.post(url("register", event), {"frame": lt_frame.pk, "title": long_title})
    html = response.content.decode()
    assert "Ensure this value has at most" in html
    assert "needs the title of your talk" not in html

    services.register(frame=make_frame(capacity=5, name="General"), user=user)
    response = client.post(
        url("change_frame", event), {"frame": lt_frame.pk, "talk-title": long_title}, follow=True
    )
    shown = " ".join(messages_of(response))
    assert "Ensure this value has at most" in shown
    assert "needs the title of your talk" not in shown
