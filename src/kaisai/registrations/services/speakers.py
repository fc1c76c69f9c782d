"""A registered attendee proposes a lightning talk (docs/talks.md, "LT frames and speaker
seats"). The speakers' frame says how (`Frame.speakers_keep_seat`):

- off (the default): the registration moves into the speakers' frame with its talk
  (`change_frame`): the general seat is freed, a speaker seat (or the speaker waitlist) is
  taken, and the talk follows that registration's status;
- on: the registration stays where it is, seat and all; the talk is written on its own
  (`hooks.write_talk(..., keep_seat=True)`: proposed, not tied to a seat) and the organizers
  accept or reject it like any talk. The speakers' frame's counts do not change.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from kaisai.accounts.models import User
from kaisai.registrations import hooks
from kaisai.registrations.errors import RegistrationError
from kaisai.registrations.models import Frame, Registration
from kaisai.registrations.proposals import TalkProposal
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
