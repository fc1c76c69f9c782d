"""What organizers do with registrations: nominate, accept/reject, move, cancel, capacity."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kaisai.accounts.models import User
from kaisai.groups.enums import Action
from kaisai.groups.services_log import log_action
from kaisai.registrations.enums import Method, Status
from kaisai.registrations.errors import RegistrationError
from kaisai.registrations.models import Frame, Registration
from kaisai.registrations.services import audit, filling, placement, seats


def _locked(registration: Registration) -> tuple[Frame, Registration]:
    frame = seats.lock_frames(registration.frame_id)[registration.frame_id]
    return frame, Registration.objects.select_for_update().get(pk=registration.pk)


def _accept(
    frame: Frame, registration: Registration, *, by: User | None, reason: str
) -> Registration:
    if not seats.take_seat(frame.pk):
        raise RegistrationError(
            _("The frame is full. Raise its capacity or cancel someone first."), code="full"
        )
    previous = registration.status
    registration.status = Status.ACCEPTED
    registration.waitlist_key = None
    registration.save(update_fields=["status", "waitlist_key", "nominated", "updated_at"])
    audit.record(registration, from_status=previous, actor=by, reason=reason)
    return registration


def nominate(*, registration: Registration, by: User | None, reason: str = "") -> Registration:
    """指名: before a draw, put the applicant ahead of it; otherwise accept now if a seat
    is free."""
    with transaction.atomic():
        frame, registration = _locked(registration)
        if registration.status not in (Status.APPLIED, Status.WAITLISTED):
            raise RegistrationError(_("Only applicants can be nominated."), code="not_applicant")
        registration.nominated = True
        if placement.lottery_pending(frame):
            registration.save(update_fields=["nominated", "updated_at"])
            audit.record(
                registration, from_status=registration.status, actor=by,
                reason=reason or gettext_noop("nominated"), mail=None,
            )  # fmt: skip
            return registration
        return _accept(frame, registration, by=by, reason=reason or gettext_noop("nominated"))


def decide_application(
    *, registration: Registration, by: User | None, accept: bool, reason: str = ""
) -> Registration:
    """Approval frames (and waitlists): accept within capacity, or reject."""
    with transaction.atomic():
        frame, registration = _locked(registration)
        if registration.status not in (Status.APPLIED, Status.WAITLISTED):
            raise RegistrationError(
                _("This registration is not waiting for a decision."), code="decided"
            )
        if placement.lottery_pending(frame):
            raise RegistrationError(_("The lottery decides this frame."), code="lottery_pending")
        if accept:
            return _accept(frame, registration, by=by, reason=reason or gettext_noop("accepted"))
        previous = registration.status
        registration.status = Status.REJECTED
        registration.waitlist_key = None
        registration.save(update_fields=["status", "waitlist_key", "updated_at"])
        audit.record(
            registration, from_status=previous, actor=by, reason=reason or gettext_noop("rejected")
        )
        return registration


def change_capacity(*, frame: Frame, capacity: int, by: User | None) -> Frame:
    """A larger capacity promotes from the waitlist at once; a smaller one never demotes.
    In fill-the-room mode the frame is re-planned for the new seats (`filling.replan`)."""
    if capacity < 0:
        raise RegistrationError(_("Capacity cannot be negative."), code="invalid")
    with transaction.atomic():
        frame = seats.lock_frames(frame.pk)[frame.pk]
        filling.check_settings(
            overbooking=frame.overbooking, overflow_risk=frame.overflow_risk, capacity=capacity
        )
        old_capacity = frame.capacity
        Frame.objects.filter(pk=frame.pk).update(capacity=capacity)
        frame.capacity = capacity
        log_action(
            group=frame.event.group_id,
            actor=by,
            action=Action.CAPACITY_CHANGED,
            event=frame.event_id,
            frame=frame.name,
            old=old_capacity,
            new=capacity,
        )
        reason = gettext_noop("promoted after a capacity increase")
        if frame.fills_the_room:
            filling.replan(frame=frame, by=by, reason=reason)
        else:
            if frame.accept_limit is not None and frame.accept_limit < capacity:
                # A limit set by hand (`set_accept_limit`) never falls below the seats.
                Frame.objects.filter(pk=frame.pk).update(accept_limit=capacity)
                frame.accept_limit = capacity
            if frame.method != Method.LOTTERY or not placement.lottery_pending(frame):
                placement.promote(frame, actor=by, reason=reason)
        frame.refresh_from_db(fields=["accept_limit", "accepted_count"])
    return frame


def set_organizer_note(*, registration: Registration, by: User | None, note: str) -> Registration:
    """A note the reception sees at check-in (e.g. "speaker", "needs a receipt")."""
    registration.organizer_note = note.strip()[:300]
    Registration.objects.filter(pk=registration.pk).update(
        organizer_note=registration.organizer_note
    )
    return registration
