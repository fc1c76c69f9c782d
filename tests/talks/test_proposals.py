"""LT proposals through a speakers' frame: registration and talk in one transaction, and the
talk's state following every registration status change."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from kaisai.core.models import OutboxMail
from kaisai.registrations import services
from kaisai.registrations.enums import Method, Status
from kaisai.registrations.errors import RegistrationError
from kaisai.registrations.models import Frame, Registration
from kaisai.talks.enums import TalkKind, TalkState
from kaisai.talks.models import Speaker, Talk
from kaisai.talks.selectors_talks import manage_rows
from kaisai.talks.services import proposals
from kaisai.talks.services.proposals import register_with_talk
from kaisai.talks.services.talks import decide_talk, withdraw_talk
from tests.talks.conftest import proposal


def talk_of(registration: Registration) -> Talk:
    return Talk.objects.get(registration=registration)


def check_counters() -> None:
    for frame in Frame.objects.all():
        accepted = Registration.objects.filter(frame=frame, status=Status.ACCEPTED).count()
        assert frame.accepted_count == accepted, frame.name


def test_register_with_talk_creates_lt_talk_and_confirmed_speaker(lt_frame, make_frame, user):
    general = make_frame(capacity=1, name="General")
    registration = register_with_talk(frame=lt_frame, user=user, proposal=proposal())
    assert registration.status == Status.ACCEPTED and registration.frame == lt_frame
    talk = talk_of(registration)
    assert (talk.kind, talk.state, talk.duration, talk.title) == (
        TalkKind.LT, TalkState.ACCEPTED, 5, "Rust in 5 minutes"
    )  # fmt: skip
    assert talk.event_id == lt_frame.event_id and talk.created_by == user
    speaker = talk.speakers.get()
    assert speaker.user == user and speaker.is_confirmed
    # The speaker seat is the LT frame's own: the general frame keeps all its seats.
    general.refresh_from_db()
    lt_frame.refresh_from_db()
    assert (general.accepted_count, lt_frame.accepted_count) == (0, 1)
    check_counters()


def test_register_with_talk_keeps_given_fields(lt_frame, user):
    registration = register_with_talk(
        frame=lt_frame, user=user,
        proposal=proposal(duration=10, language="en", consent_stream=False, consent_record=False),
    )  # fmt: skip
    talk = talk_of(registration)
    assert (talk.duration, talk.language, talk.consent_stream, talk.consent_record) == (
        10, "en", False, False
    )  # fmt: skip


def test_full_lt_frame_puts_speakers_on_the_speaker_waitlist(lt_frame, people):
    first, second, third, fourth = people(4)
    regs = [
        register_with_talk(frame=lt_frame, user=person, proposal=proposal(f"T{index}"))
        for index, person in enumerate((first, second, third, fourth))
    ]
    assert [r.status for r in regs] == [Status.ACCEPTED] * 2 + [Status.WAITLISTED] * 2
    assert [talk_of(r).state for r in regs] == [TalkState.ACCEPTED] * 2 + [TalkState.PROPOSED] * 2
    positions = {talk.title: talk.waitlist_position for talk in manage_rows(lt_frame.event)}
    assert positions == {"T0": None, "T1": None, "T2": 1, "T3": 2}
    # A speaker cancels: the head of the speaker waitlist is promoted, and its talk accepted.
    services.cancel_registration(registration=regs[0], by=first)
    assert talk_of(regs[0]).state == TalkState.WITHDRAWN
    assert talk_of(regs[2]).state == TalkState.ACCEPTED
    assert Registration.objects.get(pk=regs[2].pk).status == Status.ACCEPTED
    assert talk_of(regs[3]).state == TalkState.PROPOSED
    positions = {talk.title: talk.waitlist_position for talk in manage_rows(lt_frame.event)}
    assert positions["T3"] == 1
    check_counters()


def test_capacity_increase_promotes_speakers_and_accepts_their_talks(lt_frame, people, organizer):
    regs = [register_with_talk(frame=lt_frame, user=p, proposal=proposal()) for p in people(3)]
    assert talk_of(regs[2]).state == TalkState.PROPOSED
    services.change_capacity(frame=lt_frame, capacity=3, by=organizer)
    assert talk_of(regs[2]).state == TalkState.ACCEPTED


def test_approval_frame_applied_then_decided_through_the_talk(make_frame, people, organizer):
    frame = make_frame(capacity=1, method=Method.APPROVAL, name="LT", requires_talk=True)
    one, two = people(2)
    first = register_with_talk(frame=frame, user=one, proposal=proposal("A"))
    second = register_with_talk(frame=frame, user=two, proposal=proposal("B"))
    assert first.status == Status.APPLIED and talk_of(first).state == TalkState.PROPOSED

    decide_talk(talk=talk_of(first), by=organizer, accept=True)
    assert Registration.objects.get(pk=first.pk).status == Status.ACCEPTED
    assert talk_of(first).state == TalkState.ACCEPTED

    # No LT seat left: accepting the second fails and changes nothing.
    with pytest.raises(RegistrationError):
        decide_talk(talk=talk_of(second), by=organizer, accept=True)
    assert Registration.objects.get(pk=second.pk).status == Status.APPLIED
    assert talk_of(second).state == TalkState.PROPOSED

    decide_talk(talk=talk_of(second), by=organizer, accept=False)
    assert Registration.objects.get(pk=second.pk).status == Status.REJECTED
    assert talk_of(second).state == TalkState.REJECTED
    check_counters()


def test_registration_decided_directly_moves_the_talk(make_frame, user, organizer):
    frame = make_frame(capacity=1, method=Method.APPROVAL, name="LT", requires_talk=True)
    registration = register_with_talk(frame=frame, user=user, proposal=proposal())
    services.decide_application(registration=registration, by=organizer, accept=False)
    assert talk_of(registration).state == TalkState.REJECTED


def test_nominate_accepts_the_talk(make_frame, user, organizer):
    frame = make_frame(capacity=1, method=Method.APPROVAL, name="LT", requires_talk=True)
    registration = register_with_talk(frame=frame, user=user, proposal=proposal())
    services.nominate(registration=registration, by=organizer)
    assert talk_of(registration).state == TalkState.ACCEPTED


def test_lottery_draw_accepts_winners_talks_and_waitlists_the_rest(make_frame, people):
    frame = make_frame(capacity=1, method=Method.LOTTERY, name="LT", requires_talk=True)
    regs = [register_with_talk(frame=frame, user=p, proposal=proposal()) for p in people(3)]
    assert {talk_of(r).state for r in regs} == {TalkState.PROPOSED}
    Frame.objects.filter(pk=frame.pk).update(lottery_at=frame.event.starts_at.replace(year=2000))
    services.draw_lottery(frame=Frame.objects.get(pk=frame.pk))
    states = sorted(talk_of(r).state for r in regs)
    assert states == [TalkState.ACCEPTED, TalkState.PROPOSED, TalkState.PROPOSED]
    for registration in regs:
        registration.refresh_from_db()
        expected = TalkState.ACCEPTED if registration.status == Status.ACCEPTED else "proposed"
        assert talk_of(registration).state == expected
    check_counters()


def test_moving_out_of_the_speakers_frame_withdraws_and_back_restores(
    lt_frame, make_frame, user, organizer
):
    general = make_frame(capacity=5, name="General")
    registration = register_with_talk(frame=lt_frame, user=user, proposal=proposal())
    moved = services.move_registration(registration=registration, to_frame=general, by=organizer)
    assert moved.status == Status.ACCEPTED
    assert talk_of(registration).state == TalkState.WITHDRAWN
    services.move_registration(registration=moved, to_frame=lt_frame, by=organizer)
    assert talk_of(registration).state == TalkState.ACCEPTED
    check_counters()


def test_withdrawing_an_lt_talk_cancels_its_registration_and_promotes(lt_frame, people):
    regs = [register_with_talk(frame=lt_frame, user=p, proposal=proposal()) for p in people(3)]
    withdraw_talk(talk=talk_of(regs[0]), by=regs[0].user)
    assert Registration.objects.get(pk=regs[0].pk).status == Status.CANCELLED
    assert talk_of(regs[0]).state == TalkState.WITHDRAWN
    assert talk_of(regs[2]).state == TalkState.ACCEPTED
    check_counters()


def test_rejecting_an_accepted_lt_talk_frees_the_speaker_seat(lt_frame, people, organizer):
    regs = [register_with_talk(frame=lt_frame, user=p, proposal=proposal()) for p in people(3)]
    decide_talk(talk=talk_of(regs[1]), by=organizer, accept=False)
    assert Registration.objects.get(pk=regs[1].pk).status == Status.CANCELLED
    assert talk_of(regs[1]).state == TalkState.REJECTED
    assert talk_of(regs[2]).state == TalkState.ACCEPTED
    check_counters()


def test_failing_talk_save_leaves_no_registration(lt_frame, user, monkeypatch):
    def broken(talk, registration, user):
        Talk.objects.create(event=talk.event, title="", registration=registration)
        raise IntegrityError("speaker could not be saved")

    monkeypatch.setattr(proposals, "_save_talk", broken)
    with pytest.raises(IntegrityError):
        register_with_talk(frame=lt_frame, user=user, proposal=proposal())
    assert not Registration.objects.exists()
    assert not Talk.objects.exists() and not Speaker.objects.exists()
    assert not OutboxMail.objects.exists()  # the "you have a seat" mail was rolled back too
    lt_frame.refresh_from_db()
    assert lt_frame.accepted_count == 0


@pytest.mark.parametrize(
    ("fields", "key"),
    [({"title": "  "}, "title"), ({"duration": 0}, "duration"), ({"language": "xx"}, "language")],
)
def test_invalid_proposal_writes_nothing(lt_frame, user, fields, key):
    with pytest.raises(RegistrationError) as caught:
        register_with_talk(frame=lt_frame, user=user, proposal=proposal(**fields))
    assert key in caught.value.message_dict
    assert not Registration.objects.exists() and not Talk.objects.exists()


def test_repeated_request_writes_no_second_talk(lt_frame, user):
    first = register_with_talk(frame=lt_frame, user=user, proposal=proposal())
    again = register_with_talk(frame=lt_frame, user=user, proposal=proposal("Other"))
    assert again.pk == first.pk
    assert Talk.objects.count() == 1 and Talk.objects.get().title == "Rust in 5 minutes"


def test_frame_without_talks_refuses_a_proposal(make_frame, user):
    frame = make_frame(capacity=5)
    with pytest.raises(RegistrationError):
        register_with_talk(frame=frame, user=user, proposal=proposal())
    assert not Registration.objects.exists()


def test_ordinary_registration_and_cancel_cost_no_talk_query(make_frame, user):
    """The hook acts only when the frame is known to take talks (or is not loaded)."""
    frame = make_frame(capacity=5)
    with CaptureQueriesContext(connection) as queries:
        registration = services.register(frame=frame, user=user)
    assert not [q for q in queries if "talks_talk" in q["sql"]]
    services.cancel_registration(registration=registration, by=user)
    assert Registration.objects.get(pk=registration.pk).status == Status.CANCELLED
