"""Checking people in: by ticket (scan or API), by search at the reception, by attendance code.

Idempotent: a scan that is sent twice (offline queue, retry, two devices) is taken once; the
answer then says who checked the person in and when.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kaisai.accounts.models import User
from kaisai.checkin.errors import CheckInError
from kaisai.checkin.models import CheckIn
from kaisai.checkin.selectors_standby import checked_in_by_frame
from kaisai.checkin.tickets import valid_ticket
from kaisai.core import metrics
from kaisai.events.models import Event
from kaisai.registrations.enums import Status
from kaisai.registrations.models import Registration
from kaisai.registrations.services.seats import lock_frames
from kaisai.registrations.services.standby import accept_standby

LATE_AFTER = timedelta(minutes=1)
SELF_CHECK_IN_OPENS = timedelta(hours=2)


@dataclass
class CheckInResult:
    checkin: CheckIn
    already: bool

    @property
    def registration(self) -> Registration:
        return self.checkin.registration


def _when(scanned_at: datetime | None, now: datetime) -> tuple[datetime, bool]:
    """The time of the scan as the device saw it (offline scans are sent later)."""
    if scanned_at is None or scanned_at > now:
        return now, False
    return scanned_at, now - scanned_at > LATE_AFTER


def check_in(
    *,
    event: Event,
    registration: Registration,
    by,
    method: str,
    nonce: str = "",
    scanned_at: datetime | None = None,
) -> CheckInResult:
    if registration.event_id != event.pk:
        raise CheckInError(_("This ticket is for another event."), code="other_event")
    if registration.status != Status.ACCEPTED:
        message = _("This registration is not accepted (%(status)s).") % {
            "status": registration.get_status_display()
        }
        raise CheckInError(message, code="not_accepted")
    if nonce:
        # Nonces are the client's: scope them to the event so one can never match elsewhere.
        nonce = hashlib.sha256(f"{event.pk}:{nonce}".encode()).hexdigest()
        seen = CheckIn.objects.filter(nonce=nonce).select_related("by").first()
        if seen is not None:
            return CheckInResult(seen, already=True)
    now = timezone.now()
    at, late = _when(scanned_at, now)
    try:
        with transaction.atomic():
            checkin = CheckIn.objects.create(
                registration=registration, event=event, checked_in_at=at, by=by,
                method=method, nonce=nonce[:64], late=late,
            )  # fmt: skip
    except IntegrityError:
        existing = CheckIn.objects.select_related("by").get(registration=registration)
        return CheckInResult(existing, already=True)
    checkin.registration = registration
    metrics.CHECKINS.labels(method=method).inc()
    return CheckInResult(checkin, already=False)


def check_in_ticket(
    *, event: Event, token: str, by, method: str = CheckIn.Method.SCAN, nonce: str = "",
    scanned_at: datetime | None = None,
) -> CheckInResult:  # fmt: skip
    ticket = valid_ticket(token)
    if ticket is None:
        raise CheckInError(_("Unknown ticket."), code="unknown")
    return check_in(event=event, registration=ticket.registration, by=by, method=method,
                    nonce=nonce, scanned_at=scanned_at)  # fmt: skip


def undo_check_in(*, registration: Registration, by: User) -> bool:
    deleted, _rows = CheckIn.objects.filter(registration=registration).delete()
    return deleted > 0


def set_attendance_code(*, event: Event, code: str, by: User) -> Event:
    code = code.strip()
    if code and not (4 <= len(code) <= 32):
        raise CheckInError(_("Use 4 to 32 characters for the attendance code."), code="invalid")
    Event.objects.filter(pk=event.pk).update(attendance_code=code)
    event.attendance_code = code
    return event


def self_check_in(*, event: Event, user: User, code: str) -> CheckInResult:
    """出席コード: a participant checks in online, from 2 hours before the start to the end."""
    now = timezone.now()
    if not event.attendance_code:
        raise CheckInError(_("This event has no attendance code."), code="no_code")
    if not (event.starts_at - SELF_CHECK_IN_OPENS <= now <= event.ends_at):
        raise CheckInError(
            _("Checking in with the code is possible from 2 hours before the start until the end."),
            code="not_now",
        )
    if not hmac.compare_digest(code.strip().casefold(), event.attendance_code.casefold()):
        raise CheckInError(_("That code is not right."), code="wrong_code")
    registration = Registration.objects.filter(
        event=event, user=user, status=Status.ACCEPTED
    ).first()
    if registration is None:
        raise CheckInError(_("You have no accepted registration to this event."),
                           code="not_accepted")  # fmt: skip
    return check_in(event=event, registration=registration, by=user, method=CheckIn.Method.CODE)


def admit_standby(*, registration: Registration, by: User) -> Registration:
    """当日補欠: a standby at the door becomes accepted and checked in at once — under the
    frame's lock, only from the frame's standby time and only while fewer people of the frame
    are checked in than it has seats (`capacity`, the room's chairs), so that two reception
    phones admitting at once fill each free seat once. The reception admits in waitlist order
    (`selectors.standby_panel`), or whichever standby it chooses."""
    with transaction.atomic():
        frame = lock_frames(registration.frame_id)[registration.frame_id]
        current = Registration.objects.select_related("user", "event").get(pk=registration.pk)
        if current.status == Status.ACCEPTED and current.standby:
            checkin = CheckIn.objects.filter(registration=current).first()
            if checkin is not None:
                raise CheckInError(_("Already admitted and checked in."), code="already")
        if current.status != Status.WAITLISTED or not current.standby:
            raise CheckInError(_("This person is not a waiting standby."), code="not_standby")
        opens_at = frame.standby_opens_at
        if opens_at is None:
            raise CheckInError(_("This frame has no standby at the door."), code="no_standby")
        if timezone.now() < opens_at:
            message = _("Standbys are admitted from %(time)s.") % {
                "time": timezone.localtime(opens_at, frame.event.tz).strftime("%H:%M")
            }
            raise CheckInError(message, code="too_early")
        if checked_in_by_frame([frame.pk]).get(frame.pk, 0) >= frame.capacity:
            raise CheckInError(_("No seat is free: every seat is taken."), code="full")
        accepted = accept_standby(registration=current, by=by)
        check_in(event=frame.event, registration=accepted, by=by, method=CheckIn.Method.STANDBY)
    return accepted
