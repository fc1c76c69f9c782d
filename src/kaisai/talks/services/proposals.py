"""Proposing a lightning talk by registering to a speakers' frame (Frame.requires_talk).

The registration core owns the rule "a speakers' frame needs a talk" and the transaction:
`registrations.services.register(..., talk=TalkProposal(...))` (and `move_registration`)
checks the proposal with `check_proposal` before anything is written and calls
`write_proposed_talk` in the registration's transaction — talks connect both in
`TalksConfig.ready()` (`registrations.hooks`). If either write fails, neither exists. The
registration decides the seat (the LT frame's own seats: a speaker seat, never a general
one) and its waitlist is the speaker waitlist; `sync` keeps the talk's state in step with
every later status change.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from kaisai.accounts.models import User
from kaisai.registrations import services as registration_services
from kaisai.registrations.errors import RegistrationError
from kaisai.registrations.models import Frame, Registration
from kaisai.registrations.proposals import LT_MINUTES, TalkProposal
from kaisai.talks.enums import TalkKind, TalkState
from kaisai.talks.models import Speaker, Talk
from kaisai.talks.services.sync import talk_state_for

__all__ = ["LT_MINUTES", "TalkProposal", "register_with_talk"]


def _checked_talk(event_id: int, user: User, proposal: TalkProposal) -> Talk:
    """The unsaved talk, validated before anything is written (errors keyed by field)."""
    talk = Talk(event_id=event_id, kind=TalkKind.LT, created_by=user, **asdict(proposal))
    talk.title = talk.title.strip()
    try:
        talk.full_clean(exclude=["event", "registration", "created_by", "state"])
    except ValidationError as error:
        raise RegistrationError(error.message_dict, code="talk_invalid") from error
    return talk


def check_proposal(frame: Frame, user: User, proposal: TalkProposal) -> None:
    """The talk writer's check (`hooks.check_talk`): raises RegistrationError("talk_invalid")."""
    _checked_talk(frame.event_id, user, proposal)


def has_talk(registration: Registration) -> bool:
    return Talk.objects.filter(registration_id=registration.pk).exists()


def _save_talk(talk: Talk, registration: Registration, user: User) -> Talk:
    talk.registration = registration
    talk.state = talk_state_for(registration.status)
    talk.save()
    Speaker.objects.create(talk=talk, user=user, confirmed_at=timezone.now())
    return talk


def write_proposed_talk(
    registration: Registration, proposal: TalkProposal, *, keep_seat: bool = False
) -> None:
    """The talk writer (`hooks.write_talk`): the registration's LT talk, its user the confirmed
    speaker, in the state the registration's status implies. A registration that had a talk
    (moved out of the speakers' frame and back with a new proposal) gets it rewritten.

    `keep_seat`: an attendee who keeps their seat in another frame proposes a talk — an LT
    not tied to the registration (`Talk.registration` empty), proposed, decided by the
    organizers like any talk; one such open proposal per person and event."""
    user = registration.user
    talk = _checked_talk(registration.event_id, user, proposal)
    if keep_seat:
        open_proposal = Talk.objects.filter(
            event_id=registration.event_id,
            kind=TalkKind.LT,
            speakers__user=user,
            state__in=(TalkState.PROPOSED, TalkState.ACCEPTED),
        )
        if open_proposal.exists():
            raise RegistrationError(
                _("You have already proposed a talk for this event."), code="talk_exists"
            )
        talk.state = TalkState.PROPOSED
        talk.save()
        Speaker.objects.create(talk=talk, user=user, confirmed_at=timezone.now())
        return
    existing = Talk.objects.filter(registration_id=registration.pk).first()
    if existing is None:
        _save_talk(talk, registration, user)
        return
    for name, value in asdict(proposal).items():
        setattr(existing, name, getattr(talk, name, value))
    existing.state = talk_state_for(registration.status)
    existing.save()


def register_with_talk(
    *,
    frame: Frame,
    user: User,
    proposal: TalkProposal,
    answers: dict[Any, Any] | None = None,
    afterparty: bool = False,
) -> Registration:
    """Register to a speakers' frame and propose a talk (kind LT), all or nothing: the
    registration service with `talk=proposal`."""
    return registration_services.register(
        frame=frame, user=user, answers=answers, afterparty=afterparty, talk=proposal
    )
