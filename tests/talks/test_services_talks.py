"""Talks organizers create, speakers edit and withdraw, decisions with mail, invitations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kaisai.core.models import OutboxMail
from kaisai.core.outbox import render
from kaisai.talks.enums import TalkKind, TalkState
from kaisai.talks.models import Speaker, Talk
from kaisai.talks.services import invitations
from kaisai.talks.services.errors import TalkError
from kaisai.talks.services.invitations import InvitationState
from kaisai.talks.services.talks import create_talk, decide_talk, update_talk, withdraw_talk
from tests.factories import UserFactory
from tests.talks.factories import SpeakerFactory, TalkFactory


def test_create_talk_is_accepted_by_default(event, organizer):
    talk = create_talk(event=event, by=organizer, title="  Keynote: MLOps  ", kind=TalkKind.KEYNOTE)
    assert (talk.title, talk.state, talk.kind, talk.created_by) == (
        "Keynote: MLOps", TalkState.ACCEPTED, TalkKind.KEYNOTE, organizer
    )  # fmt: skip
    proposed = create_talk(event=event, by=organizer, title="Maybe", state=TalkState.PROPOSED)
    assert proposed.state == TalkState.PROPOSED


@pytest.mark.parametrize(
    ("fields", "key"),
    [({"title": ""}, "title"), ({"duration": 0}, "duration"), ({"kind": "panel"}, "kind")],
)
def test_create_talk_bad_input_saves_nothing(event, organizer, fields, key):
    with pytest.raises(TalkError) as caught:
        create_talk(event=event, by=organizer, **{"title": "T", **fields})
    assert key in caught.value.message_dict
    assert not Talk.objects.exists()


def test_create_talk_refuses_a_decided_state(event, organizer):
    with pytest.raises(TalkError):
        create_talk(event=event, by=organizer, title="T", state=TalkState.REJECTED)


def test_speaker_edits_own_fields_but_not_the_kind(event, user):
    talk = TalkFactory(event=event, speaker=user)
    update_talk(talk=talk, by=user, organizer=False, title="New title", duration=15,
                consent_record=False)  # fmt: skip
    talk.refresh_from_db()
    assert (talk.title, talk.duration, talk.consent_record) == ("New title", 15, False)
    with pytest.raises(ValueError):
        update_talk(talk=talk, by=user, organizer=False, kind=TalkKind.KEYNOTE)
    with pytest.raises(ValueError):
        update_talk(talk=talk, by=user, organizer=False, state=TalkState.ACCEPTED)


def test_organizer_edits_the_kind(event, organizer):
    talk = TalkFactory(event=event)
    update_talk(talk=talk, by=organizer, organizer=True, kind=TalkKind.LT, duration=5)
    talk.refresh_from_db()
    assert (talk.kind, talk.duration) == (TalkKind.LT, 5)


def test_update_bad_input_saves_nothing(event, user):
    talk = TalkFactory(event=event, speaker=user, title="Old")
    with pytest.raises(TalkError):
        update_talk(talk=talk, by=user, organizer=False, title="x" * 201)
    assert Talk.objects.get(pk=talk.pk).title == "Old"


def test_decide_mails_every_speaker_with_an_account(event, organizer, user):
    talk = TalkFactory(event=event, state=TalkState.PROPOSED, speaker=user)
    other = UserFactory(nickname="cospeaker")
    SpeakerFactory(talk=talk, user=other)
    Speaker.objects.create(talk=talk, name="Guest Person")
    decide_talk(talk=talk, by=organizer, accept=True)
    assert Talk.objects.get(pk=talk.pk).state == TalkState.ACCEPTED
    mails = OutboxMail.objects.filter(template="talk_accepted")
    assert sorted(m.to_email for m in mails) == sorted([user.email, other.email])
    subject, body = render(mails.first())
    assert talk.title in subject and f"/talks/{talk.pk}/" in body
    decide_talk(talk=talk, by=organizer, accept=False)
    assert Talk.objects.get(pk=talk.pk).state == TalkState.REJECTED
    assert OutboxMail.objects.filter(template="talk_rejected").count() == 2


def test_withdrawn_talk_cannot_be_decided(event, organizer, user):
    talk = TalkFactory(event=event, speaker=user)
    withdraw_talk(talk=talk, by=user)
    assert Talk.objects.get(pk=talk.pk).state == TalkState.WITHDRAWN
    talk.refresh_from_db()
    with pytest.raises(TalkError):
        decide_talk(talk=talk, by=organizer, accept=True)
    assert withdraw_talk(talk=talk, by=user).state == TalkState.WITHDRAWN  # idempotent


# --- invitations -------------------------------------------------------------------------------


def test_invite_by_link_then_accept_makes_a_confirmed_speaker(event, organizer, user):
    talk = TalkFactory(event=event)
    speaker, token = invitations.invite_speaker(talk=talk, by=organizer)
    assert speaker.invitation_hash == invitations.hash_token(token) and token not in str(
        Speaker.objects.values_list("invitation_hash", flat=True)[0]
    )
    assert not OutboxMail.objects.exists()  # by link only: nothing mailed
    assert invitations.invitation_state(invitations.invitation_for(token), user) == "valid"
    accepted = invitations.accept_invitation(token=token, user=user)
    assert accepted.pk == speaker.pk and accepted.user == user and accepted.is_confirmed
    # Used: valid again only for the same user (opening the link twice is harmless).
    assert invitations.invitation_state(invitations.invitation_for(token), user) == "valid"
    assert invitations.accept_invitation(token=token, user=user).pk == speaker.pk
    stranger = UserFactory(nickname="stranger")
    state = invitations.invitation_state(invitations.invitation_for(token), stranger)
    assert state == InvitationState.USED
    with pytest.raises(TalkError):
        invitations.accept_invitation(token=token, user=stranger)
    assert Speaker.objects.get(pk=speaker.pk).user == user


def test_invite_by_mail_sends_the_link_to_the_address(event, organizer):
    talk = TalkFactory(event=event, title="Scaling notebooks")
    speaker, token = invitations.invite_speaker(talk=talk, by=organizer, email="guest@example.org")
    mail = OutboxMail.objects.get()
    assert (mail.to_email, mail.template, mail.recipient) == (
        "guest@example.org", "talk_invitation", None
    )  # fmt: skip
    subject, body = render(mail)
    assert event.title in subject
    assert f"/talks/invitation/{token}/" in body and "Scaling notebooks" in body
    assert speaker.invited_email == "guest@example.org"


def test_invalid_expired_and_closed_invitations(event, organizer, user):
    assert invitations.invitation_state(invitations.invitation_for("nope"), user) == "invalid"
    with pytest.raises(TalkError):
        invitations.accept_invitation(token="nope", user=user)
    talk = TalkFactory(event=event)
    speaker, token = invitations.invite_speaker(talk=talk, by=organizer)
    Speaker.objects.filter(pk=speaker.pk).update(
        invited_at=timezone.now() - timedelta(days=invitations.INVITATION_DAYS + 1)
    )
    assert invitations.invitation_state(invitations.invitation_for(token), user) == "expired"
    with pytest.raises(TalkError):
        invitations.accept_invitation(token=token, user=user)
    _speaker, fresh = invitations.invite_speaker(talk=talk, by=organizer)
    Talk.objects.filter(pk=talk.pk).update(state=TalkState.WITHDRAWN)
    assert invitations.invitation_state(invitations.invitation_for(fresh), user) == "closed"
    assert not Speaker.objects.filter(user=user).exists()


def test_invitation_expires_when_the_event_ends(event, organizer, user):
    talk = TalkFactory(event=event)
    _speaker, token = invitations.invite_speaker(talk=talk, by=organizer)
    type(event).objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    assert invitations.invitation_state(invitations.invitation_for(token), user) == "expired"


def test_accepting_when_already_a_speaker_uses_up_the_invitation(event, organizer, user):
    talk = TalkFactory(event=event)
    SpeakerFactory(talk=talk, user=user)
    _speaker, token = invitations.invite_speaker(talk=talk, by=organizer)
    mine = invitations.accept_invitation(token=token, user=user)
    assert mine.user == user and mine.is_confirmed
    assert talk.speakers.count() == 1


def test_closed_talk_takes_no_invitation(event, organizer):
    talk = TalkFactory(event=event, state=TalkState.REJECTED)
    with pytest.raises(TalkError):
        invitations.invite_speaker(talk=talk, by=organizer)
    assert not Speaker.objects.exists()


def test_guest_speaker_and_removal(event, organizer):
    talk = TalkFactory(event=event)
    guest = invitations.add_guest_speaker(talk=talk, by=organizer, name="  Ada  ")
    assert (guest.name, guest.user, guest.display_name) == ("Ada", None, "Ada")
    with pytest.raises(TalkError):
        invitations.add_guest_speaker(talk=talk, by=organizer, name=" ")
    second = invitations.add_guest_speaker(talk=talk, by=organizer, name="Grace")
    assert second.order == guest.order + 1
    invitations.remove_speaker(speaker=guest, by=organizer)
    assert list(talk.speakers.values_list("name", flat=True)) == ["Grace"]


def test_confirm_only_own_speaker_row(event, user):
    talk = TalkFactory(event=event)
    row = SpeakerFactory(talk=talk, user=user)
    with pytest.raises(TalkError):
        invitations.confirm_speaker(speaker=row, user=UserFactory(nickname="someone"))
    invitations.confirm_speaker(speaker=row, user=user)
    assert Speaker.objects.get(pk=row.pk).is_confirmed
