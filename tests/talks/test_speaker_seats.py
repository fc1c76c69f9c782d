"""Invited speakers keep their seat (docs/registration.md, "Speaker seats"): a speaker of an
accepted talk, or an invited speaker of a proposed one, is accepted in whatever frame they
registered to — a lottery they applied to, a full frame, a lowered capacity — and is never
mailed "you are on the waitlist"; the counters stay the facts."""

from __future__ import annotations

import pytest

from kaisai.core import bulkexpand
from kaisai.core.models import OutboxMail
from kaisai.registrations import services
from kaisai.registrations.enums import Method, Status
from kaisai.registrations.models import Frame, Registration, RegistrationLog
from kaisai.talks.enums import TalkState
from kaisai.talks.services import invitations
from kaisai.talks.services.talks import decide_talk
from tests.factories import UserFactory
from tests.talks.factories import TalkFactory

WAITLIST_MAILS = ("registration_waitlisted", "lottery_waitlisted")


@pytest.fixture
def people(db):
    def make(count, prefix="p"):
        return [UserFactory(nickname=f"{prefix}{i}") for i in range(count)]

    return make


def assert_counter_is_fact(frame: Frame) -> None:
    frame.refresh_from_db()
    accepted = Registration.objects.filter(frame=frame, status=Status.ACCEPTED).count()
    assert frame.accepted_count == accepted


def waitlist_mails_to(user) -> int:
    bulkexpand.expand_bulk_mail()  # the worker's job: a draw's mails are queued in bulk
    return OutboxMail.objects.filter(recipient=user, template__in=WAITLIST_MAILS).count()


def invited_speaker(event, organizer, user):
    """A proposed talk whose invitation `user` accepted."""
    talk = TalkFactory(event=event, state=TalkState.PROPOSED)
    _speaker, token = invitations.invite_speaker(talk=talk, by=organizer)
    invitations.accept_invitation(token=token, user=user)
    return talk


def test_invited_speaker_wins_the_general_lottery_whatever_the_seats(
    event, organizer, make_frame, people
):
    frame = make_frame(capacity=1, method=Method.LOTTERY)
    crowd = people(6)
    speakers = people(2, "speaker")
    invited_speaker(event, organizer, speakers[0])
    TalkFactory(event=event, speaker=speakers[1])  # accepted talk
    for person in crowd + speakers:
        services.register(frame=frame, user=person)
    draw = services.draw_lottery(frame=frame, force=True)
    statuses = dict(Registration.objects.filter(frame=frame).values_list("user_id", "status"))
    assert statuses[speakers[0].pk] == statuses[speakers[1].pk] == Status.ACCEPTED
    # Two speakers beyond one seat: nobody else wins, and the count is the fact.
    assert [statuses[p.pk] for p in crowd] == [Status.WAITLISTED] * 6
    assert draw.accepted == 2
    assert_counter_is_fact(frame)
    assert waitlist_mails_to(speakers[0]) == waitlist_mails_to(speakers[1]) == 0
    assert all(waitlist_mails_to(person) == 1 for person in crowd)
    # The draw's audit rows: the speakers' seat said so, the rest waitlisted.
    logs = RegistrationLog.objects.filter(frame=frame, reason__startswith="lottery:")
    logged = dict(logs.values_list("registration__user_id", "reason"))
    assert {logged[s.pk] for s in speakers} == {"lottery: speaker seat"}
    assert {logged[p.pk] for p in crowd} == {"lottery: waitlisted"}
    assert set(
        logs.filter(registration__user__in=speakers).values_list("to_status", flat=True)
    ) == {Status.ACCEPTED}


def test_without_the_rule_the_speaker_would_have_lost(event, organizer, make_frame, people):
    """The same draw for the crowd: the speaker seat is not luck (the seed decides the rest)."""
    frame = make_frame(capacity=0, method=Method.LOTTERY)
    speaker = people(1, "speaker")[0]
    invited_speaker(event, organizer, speaker)
    services.register(frame=frame, user=speaker)
    services.draw_lottery(frame=frame, force=True)
    assert Registration.objects.get(user=speaker).status == Status.ACCEPTED
    assert_counter_is_fact(frame)


def test_speaker_registering_to_a_full_frame_is_accepted_not_waitlisted(
    event, organizer, make_frame, people
):
    frame = make_frame(capacity=1)
    services.register(frame=frame, user=people(1)[0])
    speaker = people(1, "speaker")[0]
    TalkFactory(event=event, speaker=speaker)
    registration = services.register(frame=frame, user=speaker)
    assert registration.status == Status.ACCEPTED
    assert waitlist_mails_to(speaker) == 0
    assert_counter_is_fact(frame)


def test_lowering_capacity_below_the_speakers_never_demotes_them(
    event, organizer, make_frame, people
):
    frame = make_frame(capacity=3)
    speakers = people(3, "speaker")
    for speaker in speakers:
        TalkFactory(event=event, speaker=speaker)
        services.register(frame=frame, user=speaker)
    services.change_capacity(frame=frame, capacity=1, by=organizer)
    assert set(Registration.objects.filter(frame=frame).values_list("status", flat=True)) == {
        Status.ACCEPTED
    }
    late = services.register(frame=frame, user=people(1)[0])
    assert late.status == Status.WAITLISTED
    assert_counter_is_fact(frame)
    assert sum(waitlist_mails_to(s) for s in speakers) == 0


def test_waitlisted_person_who_becomes_a_speaker_gets_the_seat(
    event, organizer, make_frame, people
):
    frame = make_frame(capacity=1)
    services.register(frame=frame, user=people(1)[0])
    person = people(1, "later-speaker")[0]
    assert services.register(frame=frame, user=person).status == Status.WAITLISTED
    talk = TalkFactory(event=event, state=TalkState.PROPOSED, speaker=person)
    decide_talk(talk=talk, by=organizer, accept=True)
    assert Registration.objects.get(user=person).status == Status.ACCEPTED
    assert_counter_is_fact(frame)


def test_accepting_an_invitation_seats_a_waitlisted_registration(
    event, organizer, make_frame, people
):
    frame = make_frame(capacity=0)
    person = people(1, "guest")[0]
    assert services.register(frame=frame, user=person).status == Status.WAITLISTED
    invited_speaker(event, organizer, person)
    assert Registration.objects.get(user=person).status == Status.ACCEPTED
    assert_counter_is_fact(frame)


def test_a_speaker_of_another_event_gets_no_seat_here(event, organizer, make_frame, people):
    from tests.factories import EventFactory

    frame = make_frame(capacity=0)
    person = people(1)[0]
    TalkFactory(event=EventFactory(group=event.group), speaker=person)
    assert services.register(frame=frame, user=person).status == Status.WAITLISTED


def test_a_proposed_talk_not_invited_holds_no_seat(event, organizer, make_frame, people):
    frame = make_frame(capacity=0)
    person = people(1)[0]
    TalkFactory(event=event, state=TalkState.PROPOSED, speaker=person)
    assert services.register(frame=frame, user=person).status == Status.WAITLISTED


def test_reception_lists_mark_the_speakers(client, event, organizer, make_frame, people):
    from django.urls import reverse

    from kaisai.checkin.selectors_pages import attendance_rows
    from tests.conftest import login

    frame = make_frame(capacity=5)
    speaker, guest = people(1, "speaker")[0], people(1, "guest")[0]
    TalkFactory(event=event, speaker=speaker)
    for person in (speaker, guest):
        services.register(frame=frame, user=person)
    marks = {row.user_id: row.is_speaker for row in attendance_rows(event)}
    assert marks == {speaker.pk: True, guest.pk: False}
    login(client, organizer)
    search = reverse("checkin:search", kwargs={"pk": event.pk})
    found = client.get(search, {"q": "speaker"}).json()["results"]
    assert found[0]["person"]["flags"] == ["Speaker"]
    found = client.get(search, {"q": "guest"}).json()["results"]
    assert found[0]["person"]["flags"] == []
