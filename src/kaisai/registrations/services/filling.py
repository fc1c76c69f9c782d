"""Fill-the-room mode (docs/registration.md, "Fill-the-room mode").

A frame's `capacity` stays the number of seats in the room. With `Frame.overbooking ==
"forecast"` the frame accepts up to `accept_limit` people — the number the connected accept
planner (`hooks.connect_accept_planner`; the show-up forecast) recommends for the frame's
`overflow_risk` — and every seat is taken against `COALESCE(accept_limit, capacity)`
(`seats`). Nobody already accepted is ever demoted: a lower limit only stops acceptance and
promotion until enough people have cancelled.

Re-planned: when the mode, the risk or the capacity changes (`frames.update_frame`,
`organizers.change_capacity`), right before a lottery draw (`draws.draw_lottery`), and every
60 s for upcoming events by the worker's ticker (`replan_upcoming`).
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kaisai.accounts.models import User
from kaisai.events.enums import EventStatus
from kaisai.registrations import hooks
from kaisai.registrations.enums import MAX_OVERFLOW_RISK, Overbooking
from kaisai.registrations.errors import RegistrationError
from kaisai.registrations.models import Frame, Registration
from kaisai.registrations.services import placement, seats

logger = logging.getLogger(__name__)

PLANNED = gettext_noop("promoted: the room is planned to fill")


def check_settings(*, overbooking: str, overflow_risk: float, capacity: int) -> None:
    """The mode's rules, checked before anything is written: a known mode, a risk above 0
    and at most 0.5, and seats to fill (not on a frame of capacity 0)."""
    errors: dict[str, list[str]] = {}
    if overbooking not in Overbooking.values:
        errors["overbooking"] = [_("Choose “off” or “forecast”.")]
    elif overbooking == Overbooking.FORECAST and capacity == 0:
        errors["overbooking"] = [
            _("Fill-the-room mode needs a frame with seats: set a capacity above 0.")
        ]
    try:
        risk_ok = 0 < float(overflow_risk) <= MAX_OVERFLOW_RISK
    except (TypeError, ValueError):
        risk_ok = False
    if not risk_ok:
        errors["overflow_risk"] = [
            _("The overflow risk must be more than 0 and at most 0.5 (50%).")
        ]
    if errors:
        raise RegistrationError(errors, code="invalid")


def _apply(frame: Frame, limit: int | None, *, by: User | None, reason: str) -> list[Registration]:
    """Store `limit` on the locked `frame` and fill what it frees from the waitlist."""
    if frame.accept_limit != limit:
        Frame.objects.filter(pk=frame.pk).update(accept_limit=limit)
        frame.accept_limit = limit
    if placement.lottery_pending(frame):
        return []  # before the draw applications take no seats; the draw uses the limit
    return placement.promote(frame, actor=by, reason=reason or PLANNED)


def set_accept_limit(
    *, frame: Frame, limit: int, by: User | None = None, reason: str = ""
) -> list[Registration]:
    """Let `frame` accept up to `limit` people (never fewer than its `capacity`), under the
    frame's lock. Raising the limit promotes from the waitlist in waitlist order; lowering it
    never demotes anyone. Returns the promoted registrations."""
    with transaction.atomic():
        frame = seats.lock_frames(frame.pk)[frame.pk]
        return _apply(frame, max(int(limit), frame.capacity), by=by, reason=reason)


def planned_limit(frame: Frame) -> int | None:
    """What `replan` would store: None (accept `capacity`) with the mode off or no planner
    connected, else the planner's number, at least the capacity."""
    if frame.overbooking != Overbooking.FORECAST:
        return None
    planned = hooks.planned_accept(frame)
    return None if planned is None else max(planned, frame.capacity)


def replan(*, frame: Frame, by: User | None = None, reason: str = "") -> list[Registration]:
    """Apply the accept planner to `frame` under its lock (mode off, or no planner: the frame
    accepts `capacity`). Never demotes; returns the promoted registrations."""
    with transaction.atomic():
        frame = seats.lock_frames(frame.pk)[frame.pk]
        return _apply(frame, planned_limit(frame), by=by, reason=reason)


def replan_upcoming() -> int:
    """The ticker's job (every 60 s): re-plan the frames in fill-the-room mode of published
    events that have not started. Idempotent; a frame is locked only when its plan changed
    (one query when no frame has the mode on). Returns how many frames changed."""
    frames = Frame.objects.filter(
        overbooking=Overbooking.FORECAST,
        event__status=EventStatus.PUBLISHED,
        event__starts_at__gt=timezone.now(),
    ).select_related("event")
    changed = 0
    for frame in frames:
        try:
            if planned_limit(frame) == frame.accept_limit:
                continue
            replan(frame=frame)
        except Exception:  # one frame's failure must not stop the others
            logger.exception("re-planning frame %s failed", frame.pk)
            continue
        changed += 1
    return changed
