"""Standby at the door (当日補欠): waitlisted people who come anyway and take a seat left free.

A frame with `standby_after_minutes` set takes standbys: a waitlisted person opts in
(`opt_in_standby`, mailed that a seat is not guaranteed) or out. From the standby time the
reception admits them (checkin's `admit_standby`, which checks the room's free seats under
the frame's lock and then calls `accept_standby` here and checks the person in).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kaisai.accounts.models import User
from kaisai.registrations.enums import Status
from kaisai.registrations.errors import RegistrationError
from kaisai.registrations.models import Frame, Registration
from kaisai.registrations.services import audit, seats

OPTED_IN = gettext_noop("opted in as a standby at the door")
OPTED_OUT = gettext_noop("no longer a standby at the door")
ADMITTED = gettext_noop("admitted as standby at the door")


def _locked(registration: Registration) -> tuple[Frame, Registration]:
    frame = seats.lock_frames(registration.frame_id)[registration.frame_id]
    locked = Registration.objects.select_for_update().select_related("user", "event").get(
        pk=registration.pk
    )
    locked.frame = frame
    return frame, locked


def _set_standby(registration: Registration, *, by: User | None, on: bool) -> Registration:
    with transaction.atomic():
        frame, registration = _locked(registration)
        if registration.status != Status.WAITLISTED:
            raise RegistrationError(
                _("Only people on the waitlist can come as standbys."), code="not_waitlisted"
            )
        if on and not frame.has_standby:
            raise RegistrationError(
                _("This frame has no standby at the door."), code="no_standby"
            )
        if registration.standby == on:
            return registration
        registration.standby = on
        registration.save(update_fields=["standby", "updated_at"])
        audit.record(
            registration,
            from_status=registration.status,
            actor=by,
            reason=OPTED_IN if on else OPTED_OUT,
            mail="registration_standby" if on else None,
            notify=False,  # not a status change: the status listeners have nothing to do
        )
    return registration


def opt_in_standby(*, registration: Registration, by: User | None) -> Registration:
    """Come to the door as a standby (a waitlisted registration of a frame with standby on).
    Mails the person that a seat is not guaranteed and when to come. Idempotent."""
    return _set_standby(registration, by=by, on=True)


def opt_out_standby(*, registration: Registration, by: User | None) -> Registration:
    """Stay on the waitlist, but not as a standby at the door. Idempotent."""
    return _set_standby(registration, by=by, on=False)


def accept_standby(*, registration: Registration, by: User | None) -> Registration:
    """Accept a standby at the door: a seat beyond the accept limit (a chair left free by a
    no-show; the caller, checkin's `admit_standby`, checked the room under the frame's lock,
    which this takes again in the same transaction). The ticket is issued by the status
    listener; no mail (the person is at the reception)."""
    with transaction.atomic():
        frame, registration = _locked(registration)
        if registration.status != Status.WAITLISTED or not registration.standby:
            raise RegistrationError(_("This person is not a waiting standby."), code="not_standby")
        seats.take_door_seat(frame.pk)
        registration.status = Status.ACCEPTED
        registration.waitlist_key = None
        registration.save(update_fields=["status", "waitlist_key", "updated_at"])
        audit.record(registration, from_status=Status.WAITLISTED, actor=by, reason=ADMITTED,
                     mail=None)  # fmt: skip
    return registration
