"""Talks organizers create, edit and decide; what speakers edit and withdraw.

A talk proposed through a speakers' frame (`talk.registration` set) takes its state from the
registration: deciding or withdrawing it goes through the registration services (the seat and
the talk always agree), and `sync` updates the talk in the same transaction. Such services lock
the frame first; the talk row is never locked before it (no lock-order inversion).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kaisai.accounts.models import User
from kaisai.core.outbox import queue_mail
from kaisai.events.models import Event
from kaisai.registrations import services as registration_services
from kaisai.registrations.enums import Status
from kaisai.talks.enums import TalkKind, TalkState
from kaisai.talks.models import Talk
from kaisai.talks.services.errors import TalkError

# What a speaker may change; organizers may also change the kind.
SPEAKER_FIELDS = ("title", "abstract", "duration", "language", "consent_stream", "consent_record")
ORGANIZER_FIELDS = (*SPEAKER_FIELDS, "kind")
DECIDED_MAIL = {TalkState.ACCEPTED: "talk_accepted", TalkState.REJECTED: "talk_rejected"}


def _validate(talk: Talk) -> None:
    talk.title = talk.title.strip()
    try:
        talk.full_clean(exclude=["event", "registration", "created_by"])
    except ValidationError as error:
        raise TalkError(error.message_dict, code="invalid") from error


def create_talk(
    *,
    event: Event,
    by,
    title: str,
    abstract: str = "",
    kind: str = TalkKind.TALK,
    duration: int = 20,
    language: str = "ja",
    consent_stream: bool = True,
    consent_record: bool = True,
    state: str = TalkState.ACCEPTED,
) -> Talk:
    """An organizer's talk (an invited speaker's): accepted unless said otherwise; its
    speakers are added by invitation or by name (services.invitations)."""
    if state not in (TalkState.PROPOSED, TalkState.ACCEPTED):
        raise TalkError(_("A new talk is proposed or accepted."), code="invalid_state")
    talk = Talk(
        event=event, title=title, abstract=abstract, kind=kind, duration=duration,
        language=language, consent_stream=consent_stream, consent_record=consent_record,
        state=state, created_by=by,
    )  # fmt: skip
    _validate(talk)
    with transaction.atomic():
        talk.save()
    return talk


def update_talk(*, talk: Talk, by: User, organizer: bool, **fields: Any) -> Talk:
    """Change the talk's own fields (speakers: SPEAKER_FIELDS; organizers: also the kind).
    The caller has checked that `by` may edit the talk."""
    allowed = ORGANIZER_FIELDS if organizer else SPEAKER_FIELDS
    for name, value in fields.items():
        if name not in allowed:
            raise ValueError(name)
        setattr(talk, name, value)
    _validate(talk)
    with transaction.atomic():
        talk.save(update_fields=[*fields, "updated_at"])
    return talk


def _mail_speakers(talk: Talk, template: str) -> None:
    for speaker in talk.speakers.select_related("user").filter(user__isnull=False):
        queue_mail(
            key=f"talk-{talk.pk}-{template}-{speaker.user_id}",
            user=speaker.user,
            template=template,
            context={"talk": talk},
        )


def _set_state(talk: Talk, state: str) -> Talk:
    Talk.objects.filter(pk=talk.pk).update(state=state, updated_at=timezone.now())
    talk.refresh_from_db()
    return talk


def _decide_through_registration(talk: Talk, *, by: User, accept: bool) -> None:
    """An LT talk: the registration is decided; `sync` moves the talk along."""
    registration = talk.registration
    assert registration is not None
    if registration.status in (Status.APPLIED, Status.WAITLISTED):
        registration_services.decide_application(
            registration=registration,
            by=by,
            accept=accept,
            reason=gettext_noop("talk accepted") if accept else gettext_noop("talk rejected"),
        )
    elif registration.status == Status.ACCEPTED and not accept:
        # The speaker seat is given back (and goes to the speaker waitlist's head).
        registration_services.cancel_registration(
            registration=registration, by=by, reason=gettext_noop("talk rejected")
        )
    elif registration.status != Status.ACCEPTED and accept:
        raise TalkError(
            _("The speaker's registration is no longer active; the talk cannot be decided."),
            code="inactive",
        )


def decide_talk(*, talk: Talk, by: User, accept: bool) -> Talk:
    """Accept or reject a talk, and mail its speakers. An LT talk is decided through its
    registration (accepting takes a seat of the LT frame; it fails when the frame is full)."""
    if talk.state == TalkState.WITHDRAWN:
        raise TalkError(_("This talk has been withdrawn."), code="withdrawn")
    state = TalkState.ACCEPTED if accept else TalkState.REJECTED
    with transaction.atomic():
        if talk.registration_id is not None:
            _decide_through_registration(talk, by=by, accept=accept)
        talk = _set_state(talk, state)
        _mail_speakers(talk, DECIDED_MAIL[state])
        if accept:
            seat_speakers(talk, by=by)
    return talk


def seat_speakers(talk: Talk, *, by: User | None) -> None:
    """The talk's speakers registered to the event but waiting (applied, waitlisted) get
    their speaker seat (`registrations.services.seat_speaker`), in the caller's transaction."""
    for user_id in talk.speakers.filter(user__isnull=False).values_list("user_id", flat=True):
        registration_services.seat_speaker(event_id=talk.event_id, user_id=user_id, by=by)


def withdraw_talk(*, talk: Talk, by: User) -> Talk:
    """The speaker (or an organizer) withdraws the talk. An LT talk's registration is
    cancelled with it: its seat was the speaker seat, and it goes to the speaker waitlist."""
    if talk.state == TalkState.WITHDRAWN:
        return talk
    with transaction.atomic():
        registration = talk.registration
        if registration is not None and registration.is_active:
            registration_services.cancel_registration(
                registration=registration, by=by, reason=gettext_noop("talk withdrawn")
            )
        return _set_state(talk, TalkState.WITHDRAWN)
