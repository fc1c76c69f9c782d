"""A registered attendee proposes a lightning talk (docs/talks.md, "LT frames and speaker
seats"). The speakers' frame says how (`Frame.speakers_keep_seat`):

- off (the default): the registration moves into the speakers' frame with its talk
  (`change_frame`): the general seat is freed, a speaker seat (or the speaker waitlist) is
  taken, and the talk follows that registration's status;
- on: the registration stays where it is, seat and all; the talk is written on its own
  (`hooks.write_talk(..., keep_seat=True)`: proposed, not tied to a seat) and the organizers
  accept or reject it like any talk. The speakers' frame's counts do not change.

Speaker seats (docs/registration.md, "Speaker seats"): a speaker of an accepted talk of the
event, or an invited speaker of one still proposed (the speaker finder talks connect,
`hooks.speakers_among`), keeps a seat in whatever frame they registered to: `register` and
`move_registration` accept them whatever the capacity (`placement.initial_status(...,
speaker=True)`), a draw accepts them before anyone else (`draws.draw_lottery`), a lower
capacity never demotes anyone, and `seat_speaker` — called by talks when a talk is accepted or
an invitation taken — accepts the registration of someone who became a speaker after
registering. So they are never mailed "you are on the waitlist" by these paths.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kaisai.accounts.models import User
from kaisai.registrations import hooks
from kaisai.registrations.enums import Status
from kaisai.registrations.errors import RegistrationError
from kaisai.registrations.models import Frame, Registration
from kaisai.registrations.proposals import TalkProposal
from kaisai.registrations.services import audit, placement, seats
from kaisai.registrations.services.participants import change_frame, check_window


def propose_talk(
    *, registration: Registration, frame: Frame, talk: TalkProposal, by: User
) -> Registration:
    """The participant's own proposal while registered (`frame.event` is read). Returns the
    registration, moved or not."""
    if frame.event_id != registration.event_id:
        raise RegistrationError(_("That frame belongs to another event."), code="wrong_event")
    if not frame.requires_talk:
        raise RegistrationError(_("This frame does not take talk proposals."), code="no_talks")
    if registration.frame_id == frame.pk:
        raise RegistrationError(
            _("You are already registered in the speakers' frame."), code="already_speaker"
        )
    if not frame.speakers_keep_seat:
        return change_frame(registration=registration, to_frame=frame, by=by, talk=talk)
    check_window(frame)
    hooks.check_talk(frame, registration.user, talk)
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if not registration.is_active:
            raise RegistrationError(_("This registration is not active."), code="not_active")
        hooks.write_talk(registration, talk, keep_seat=True)
    return registration


SPEAKER_SEAT = gettext_noop("speaker seat")


def seat_speaker(*, event_id: int, user_id: int, by: User | None) -> Registration | None:
    """Someone who became a speaker of the event (talk accepted, invitation taken) and is
    registered but not accepted gets their speaker seat now, in their frame, whatever its
    capacity (before a lottery's draw they stay applied: the draw accepts them first).
    Returns the registration accepted, or None when there was nothing to do."""
    if not hooks.speakers_among(event_id, [user_id]):
        return None
    waiting = (
        Registration.objects.filter(
            event_id=event_id, user_id=user_id, status__in=(Status.APPLIED, Status.WAITLISTED)
        )
        .values_list("pk", "frame_id")
        .first()
    )
    if waiting is None:
        return None
    with transaction.atomic():
        frame = seats.lock_frames(waiting[1])[waiting[1]]
        registration = Registration.objects.select_for_update().get(pk=waiting[0])
        if registration.frame_id != frame.pk or registration.status not in (
            Status.APPLIED,
            Status.WAITLISTED,
        ):
            return None
        if registration.status == Status.APPLIED and placement.lottery_pending(frame):
            return None
        placement.speaker_seat(frame)
        previous = registration.status
        registration.status = Status.ACCEPTED
        registration.waitlist_key = None
        registration.save(update_fields=["status", "waitlist_key", "updated_at"])
        audit.record(registration, from_status=previous, actor=by, reason=SPEAKER_SEAT)
    return registration
