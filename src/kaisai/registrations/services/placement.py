"""Placing a registration into a frame, and filling freed seats from the waitlist.

These run inside the caller's transaction, with the frame locked by `seats.take_seat` /
`seats.next_waitlist_key` or `seats.lock_frames`.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

from kaisai.accounts.models import User
from kaisai.registrations.enums import Method, Status
from kaisai.registrations.models import Frame, LotteryDraw, Registration
from kaisai.registrations.services import audit, seats


def lottery_pending(frame: Frame) -> bool:
    """A lottery frame before its draw: applications take no seats."""
    if frame.method != Method.LOTTERY:
        return False
    return not LotteryDraw.objects.filter(frame=frame, drawn_at__isnull=False).exists()


def speaker_seat(frame: Frame) -> None:
    """Take a seat of a locked frame for a speaker (`services.speakers`): a free one if
    there is one, else one beyond the limit — a speaker is never waitlisted. The accepted
    count stays the number of accepted registrations."""
    if not seats.take_seat(frame.pk):
        seats.take_door_seat(frame.pk)


def initial_status(frame: Frame, *, speaker: bool = False) -> tuple[str, int | None]:
    """Decide the status of a new application to `frame`, taking a seat if it gets one.
    A `speaker` (of an accepted or invited talk of the event) is accepted at once, whatever
    the capacity and the method, except before a lottery's draw (which accepts them first).

    Returns (status, waitlist_key). Takes the frame's row lock (first statement).
    """
    if speaker:
        seats.next_waitlist_key(frame.pk)  # the frame's lock, first
        if lottery_pending(frame):
            return Status.APPLIED, None
        speaker_seat(frame)
        return Status.ACCEPTED, None
    if frame.method == Method.APPROVAL:
        return Status.APPLIED, None
    if frame.method == Method.LOTTERY:
        # Lock first, so that the draw cannot run between this check and the insert.
        key = seats.next_waitlist_key(frame.pk)
        if lottery_pending(frame):
            return Status.APPLIED, None
        # After the draw the frame is first-come for the seats that remain or free up.
        if seats.take_seat(frame.pk):
            return Status.ACCEPTED, None
        return Status.WAITLISTED, key
    if seats.take_seat(frame.pk):
        return Status.ACCEPTED, None
    return Status.WAITLISTED, seats.next_waitlist_key(frame.pk)


def promote(frame: Frame, *, actor: User | None = None, reason: str = "") -> list[Registration]:
    """Fill free seats of a locked frame from the head of its waitlist, in order."""
    if not seats.promotion_open(frame):
        return []
    heads = seats.waitlist_heads(frame, seats.free_seats(frame))
    for registration in heads:
        if not seats.take_seat(frame.pk):
            break
        registration.status = Status.ACCEPTED
        registration.waitlist_key = None
        registration.save(update_fields=["status", "waitlist_key", "updated_at"])
        audit.record(
            registration,
            from_status=Status.WAITLISTED,
            actor=actor,
            reason=reason or gettext_noop("promoted from the waitlist"),
            mail="registration_promoted",
        )
    return heads
