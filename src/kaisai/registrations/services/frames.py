"""Creating and changing frames (参加枠).

A lottery frame is drawn by one mechanism: the worker's ticker runs the idempotent
`draws.draw_due_lotteries` (every 15 s), which draws each lottery whose time has passed; an
organizer's "draw now" calls `draws.draw_lottery(force=True)` directly. No task is queued.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kaisai.accounts.models import User
from kaisai.events import bounds
from kaisai.events.models import Event
from kaisai.registrations.enums import Method
from kaisai.registrations.errors import RegistrationError
from kaisai.registrations.models import Frame, LotteryDraw
from kaisai.registrations.services import draws, filling, organizers

EDITABLE = ("name", "description", "method", "lottery_at", "opens_at", "closes_at",
            "promotion_cutoff", "fee", "order", "requires_talk", "overbooking",
            "overflow_risk", "standby_after_minutes", "speakers_keep_seat",
            "accepts_lottery_losers")  # fmt: skip
FRAME_TIMES = ("opens_at", "closes_at", "lottery_at", "promotion_cutoff")
# Changing these re-plans a frame in fill-the-room mode (`filling.replan`).
PLANNING = frozenset({"overbooking", "overflow_risk"})


def _check(frame: Frame, capacity: int | None = None) -> None:
    filling.check_settings(
        overbooking=frame.overbooking,
        overflow_risk=frame.overflow_risk,
        capacity=frame.capacity if capacity is None else capacity,
    )
    if frame.method == Method.LOTTERY and frame.lottery_at is None:
        raise RegistrationError({"lottery_at": [_("A lottery frame needs a lottery time.")]})
    if frame.opens_at and frame.closes_at and frame.closes_at <= frame.opens_at:
        raise RegistrationError({"closes_at": [_("Registration must close after it opens.")]})
    errors = bounds.frame_date_errors(
        starts_at=frame.event.starts_at,
        ends_at=frame.event.ends_at,
        times={name: getattr(frame, name) for name in FRAME_TIMES},
    )
    if errors:
        raise RegistrationError({name: [message] for name, message in errors.items()})
    minutes = frame.standby_after_minutes
    if minutes is not None and not (0 <= minutes <= 24 * 60):
        raise RegistrationError(
            {"standby_after_minutes": [_("Use 0 to 1440 minutes after the start.")]}
        )


def create_frame(*, event: Event, by: User, capacity: int, **fields: Any) -> Frame:
    frame = Frame(event=event, capacity=capacity, **fields)
    _check(frame)
    with transaction.atomic():
        frame.save()
        if frame.method == Method.LOTTERY:
            draws.ensure_commitment(frame)
        if frame.fills_the_room:
            filling.replan(frame=frame, by=by)
            frame.refresh_from_db(fields=["accept_limit"])
    return frame


def update_frame(*, frame: Frame, by: User, capacity: int | None = None, **fields: Any) -> Frame:
    drawn = LotteryDraw.objects.filter(frame=frame, drawn_at__isnull=False).exists()
    if drawn and ("method" in fields and fields["method"] != frame.method):
        raise RegistrationError(_("The lottery has been drawn; the method cannot change."))
    if frame.registrations.exists() and fields.get("method", frame.method) != frame.method:
        raise RegistrationError(_("People have registered; the method cannot change."))
    for name, value in fields.items():
        if name not in EDITABLE:
            raise ValueError(name)
        setattr(frame, name, value)
    _check(frame, capacity)
    with transaction.atomic():
        if fields:
            Frame.objects.filter(pk=frame.pk).update(
                **{name: getattr(frame, name) for name in fields}
            )
        if frame.method == Method.LOTTERY:
            draws.ensure_commitment(frame)
        if capacity is not None and capacity != frame.capacity:
            frame = organizers.change_capacity(frame=frame, capacity=capacity, by=by)
        if PLANNING & set(fields):
            # The mode switched on or off, or a new risk: re-plan (off: accept the capacity).
            filling.replan(frame=frame, by=by)
            frame.refresh_from_db(fields=["accept_limit", "accepted_count"])
    return frame
