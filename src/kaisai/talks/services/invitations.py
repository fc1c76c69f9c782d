"""Speakers of a talk: invited by link or mail, or named as a guest without an account.

An invitation is a Speaker row without a user whose `invitation_hash` is the SHA-256 of a
random token; the token itself is shown once (the link /talks/invitation/<token>/) and mailed
if an address is given. A logged-in user who opens the link and accepts becomes that speaker,
confirmed. A link is valid for INVITATION_DAYS and until the event ends; once used, it only
works for the user who used it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kaisai.accounts.models import User
from kaisai.core.models import OutboxMail
from kaisai.registrations import services as registration_services
from kaisai.talks.enums import TalkState
from kaisai.talks.models import Speaker, Talk
from kaisai.talks.services.errors import TalkError

INVITATION_DAYS = 30


class InvitationState(StrEnum):
    VALID = "valid"
    USED = "used"
    EXPIRED = "expired"
    CLOSED = "closed"  # the talk was withdrawn or rejected
    INVALID = "invalid"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _next_order(talk: Talk) -> int:
    last = talk.speakers.aggregate(last=Max("order"))["last"]
    return 0 if last is None else last + 1


def _queue_invitation_mail(speaker: Speaker, token: str, by: User) -> None:
    """Like core.outbox.queue_mail, but to an address that may have no account yet: the
    mail goes to `invited_email` in the inviting organizer's language."""
    mail = OutboxMail(
        key=f"talk-invitation-{speaker.pk}",
        to_email=speaker.invited_email,
        recipient=None,
        language=getattr(by, "preferred_language", "") or settings.LANGUAGE_CODE,
        template="talk_invitation",
        context={
            "talk": {"_model": Talk._meta.label, "pk": speaker.talk_id},
            "inviter": {"_model": by._meta.label, "pk": by.pk},
            "token": token,
        },
        next_attempt_at=timezone.now(),
    )
    OutboxMail.objects.bulk_create([mail], ignore_conflicts=True)


def invite_speaker(*, talk: Talk, by: User, email: str = "") -> tuple[Speaker, str]:
    """A new invitation for `talk`. Returns the speaker row and the token (shown once; the
    link is /talks/invitation/<token>/). With `email`, the link is mailed there too."""
    if talk.state in (TalkState.WITHDRAWN, TalkState.REJECTED):
        raise TalkError(_("This talk is closed; nobody can be invited to it."), code="closed")
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        speaker = Speaker.objects.create(
            talk=talk,
            invited_email=email.strip(),
            invitation_hash=hash_token(token),
            invited_at=timezone.now(),
            order=_next_order(talk),
        )
        if speaker.invited_email:
            _queue_invitation_mail(speaker, token, by)
    return speaker, token


def add_guest_speaker(*, talk: Talk, by: User, name: str) -> Speaker:
    """A speaker known only by name (no account, nothing to confirm)."""
    name = name.strip()
    if not name:
        raise TalkError({"name": [_("Enter the speaker's name.")]}, code="required")
    with transaction.atomic():
        return Speaker.objects.create(talk=talk, name=name[:100], order=_next_order(talk))


def remove_speaker(*, speaker: Speaker, by: User) -> None:
    with transaction.atomic():
        Speaker.objects.filter(pk=speaker.pk).delete()


def confirm_speaker(*, speaker: Speaker, user: User) -> Speaker:
    """The speaker confirms the talk (their own row only)."""
    if speaker.user_id != user.pk:
        raise TalkError(_("Only the speaker can confirm."), code="not_speaker")
    if speaker.confirmed_at is None:
        speaker.confirmed_at = timezone.now()
        Speaker.objects.filter(pk=speaker.pk).update(confirmed_at=speaker.confirmed_at)
    return speaker


def invitation_for(token: str) -> Speaker | None:
    if not token:
        return None
    return (
        Speaker.objects.filter(invitation_hash=hash_token(token))
        .select_related("talk__event__group", "user")
        .first()
    )


def invitation_state(speaker: Speaker | None, user=None) -> InvitationState:
    """Whether `user` may accept this invitation now (a used one: only its own user)."""
    if speaker is None:
        return InvitationState.INVALID
    if speaker.user_id is not None:
        mine = user is not None and speaker.user_id == user.pk
        return InvitationState.VALID if mine else InvitationState.USED
    talk = speaker.talk
    if talk.state in (TalkState.WITHDRAWN, TalkState.REJECTED):
        return InvitationState.CLOSED
    now = timezone.now()
    invited_at = speaker.invited_at or now
    if now >= invited_at + timedelta(days=INVITATION_DAYS) or now >= talk.event.ends_at:
        return InvitationState.EXPIRED
    return InvitationState.VALID


def accept_invitation(*, token: str, user: User) -> Speaker:
    """The logged-in user becomes the invited speaker, confirmed. If they already speak in
    this talk, the invitation is used up and their own row is the answer."""
    with transaction.atomic():
        speaker = invitation_for(token)
        if speaker is not None:
            speaker = (
                Speaker.objects.select_for_update()
                .select_related("talk__event__group")
                .get(pk=speaker.pk)
            )
        state = invitation_state(speaker, user)
        if state != InvitationState.VALID:
            raise TalkError(_("This invitation cannot be used."), code=str(state))
        assert speaker is not None
        if speaker.user_id == user.pk:
            return speaker
        existing = Speaker.objects.filter(talk_id=speaker.talk_id, user=user).first()
        if existing is not None:
            speaker.delete()
            return confirm_speaker(speaker=existing, user=user)
        speaker.user = user
        speaker.confirmed_at = timezone.now()
        speaker.save(update_fields=["user", "confirmed_at"])
        # Registered already and waiting? The invited speaker's seat is theirs now.
        registration_services.seat_speaker(event_id=speaker.talk.event_id, user_id=user.pk, by=user)
    return speaker
