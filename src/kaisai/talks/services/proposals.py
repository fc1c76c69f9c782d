"""Proposing a lightning talk by registering to a speakers' frame (Frame.requires_talk).

The registration and its talk are written in ONE transaction: if either fails, neither
exists. The registration decides the seat (the LT frame's own seats: a speaker seat, never a
general one) and its waitlist is the speaker waitlist; `sync` keeps the talk's state in step
with every later status change.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kaisai.registrations import services as registration_services
from kaisai.registrations.errors import RegistrationError
from kaisai.registrations.models import Frame, Registration
from kaisai.talks.enums import TalkKind, TalkLanguage
from kaisai.talks.models import Speaker, Talk
from kaisai.talks.services.sync import talk_state_for

LT_MINUTES = 5


@dataclass(frozen=True)
class TalkProposal:
    """What a speakers' frame asks for on registration."""

    title: str
    abstract: str = ""
    duration: int = LT_MINUTES
    language: str = TalkLanguage.JA
    consent_stream: bool = True
    consent_record: bool = True


def _checked_talk(frame: Frame, user, proposal: TalkProposal) -> Talk:
    """The unsaved talk, validated before anything is written (errors keyed by field)."""
    talk = Talk(event_id=frame.event_id, kind=TalkKind.LT, created_by=user, **asdict(proposal))
    talk.title = talk.title.strip()
    try:
        talk.full_clean(exclude=["event", "registration", "created_by", "state"])
    except ValidationError as error:
        raise RegistrationError(error.message_dict, code="talk_invalid") from error
    return talk


def _save_talk(talk: Talk, registration: Registration, user) -> Talk:
    talk.registration = registration
    talk.state = talk_state_for(registration.status)
    talk.save()
    Speaker.objects.create(talk=talk, user=user, confirmed_at=timezone.now())
    return talk


def register_with_talk(
    *,
    frame: Frame,
    user,
    proposal: TalkProposal,
    answers: dict[Any, Any] | None = None,
    afterparty: bool = False,
) -> Registration:
    """Register to a speakers' frame and propose a talk (kind LT), all or nothing.

    The talk's state follows the registration: accepted (a speaker seat), proposed (applied
    or on the speaker waitlist). The user is its confirmed speaker. A repeated request answers
    with the existing registration and writes no second talk."""
    if not frame.requires_talk:
        raise RegistrationError(_("This frame does not take talk proposals."), code="no_talks")
    talk = _checked_talk(frame, user, proposal)
    with transaction.atomic():
        registration = registration_services.register(
            frame=frame, user=user, answers=answers, afterparty=afterparty
        )
        if getattr(registration, "just_created", False):
            _save_talk(talk, registration, user)
    return registration
