"""Seats under the frame's lock — the only code that changes `Frame.accepted_count` (besides
`onestatement.py`, which runs `take_seat`'s UPDATE as the first step of a single statement).

Every function here runs inside the caller's `transaction.atomic()`. The lock is the frame
row: a conditional `UPDATE ... SET accepted_count = accepted_count + 1 WHERE accepted_count <
COALESCE(accept_limit, capacity)` both takes the row lock (PostgreSQL) and checks availability in one statement;
SQLite serialises writers with IMMEDIATE transactions. The lock is held until commit, so callers
do their other writes (audit, outbox) before taking the seat where they can (a registration to a
first-come frame with seats left takes it last, see `participants.register`), or else in as few
statements as possible.

`settings.KAISAI_REGISTRATION_LOCK = False` (tests only) replaces this with an unlocked
read-check-write so that the concurrency test can show the race it prevents.

The bound is `COALESCE(accept_limit, capacity)` (`Frame.seat_limit`): in fill-the-room mode
`accept_limit` (planned by `frames.replan`) may be above the room's `capacity`.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from kaisai.registrations.enums import Method, Status
from kaisai.registrations.models import Frame, Registration


def _locking() -> bool:
    return getattr(settings, "KAISAI_REGISTRATION_LOCK", True)


def lock_frames(*frame_ids: int) -> dict[int, Frame]:
    """Lock frames in id order (no deadlock between two movers) and return them fresh."""
    frames = Frame.objects.select_for_update().filter(pk__in=sorted(set(frame_ids))).order_by("pk")
    return {frame.pk: frame for frame in frames.select_related("event")}


def take_seat(frame_id: int) -> bool:
    """Take one seat if there is one. True when taken."""
    if not _locking():
        frame = Frame.objects.get(pk=frame_id)
        if frame.accepted_count >= frame.seat_limit:
            return False
        Frame.objects.filter(pk=frame_id).update(accepted_count=frame.accepted_count + 1)
        return True
    updated = Frame.objects.filter(
        pk=frame_id, accepted_count__lt=Coalesce("accept_limit", "capacity")
    ).update(accepted_count=F("accepted_count") + 1)
    return updated == 1


def take_door_seat(frame_id: int) -> None:
    """Take a seat whatever the count: a standby admitted at the door, whose seat is a free
    chair in the room (the caller checked the frame's check-ins against its capacity under the
    frame's lock), so the accepted count may pass the capacity by the no-shows."""
    Frame.objects.filter(pk=frame_id).update(accepted_count=F("accepted_count") + 1)


def seat_last_possible(frame: Frame) -> bool:
    """Whether a registration may be written before its seat is taken (`take_seat` as the
    last statement of the transaction): a first-come frame that had seats left when read. A
    stale read only costs a rolled-back attempt; the conditional UPDATE decides."""
    return frame.method == Method.FIRST_COME and frame.accepted_count < frame.seat_limit


def release_seat(frame_id: int, count: int = 1) -> None:
    Frame.objects.filter(pk=frame_id).update(accepted_count=F("accepted_count") - count)


def next_waitlist_key(frame_id: int) -> int:
    """The next place at the end of the frame's waitlist (takes the frame's lock)."""
    Frame.objects.filter(pk=frame_id).update(waitlist_seq=F("waitlist_seq") + 1)
    return Frame.objects.values_list("waitlist_seq", flat=True).get(pk=frame_id)


def promotion_open(frame: Frame) -> bool:
    cutoff = frame.promotion_cutoff or frame.event.starts_at
    return timezone.now() < cutoff


def waitlist_heads(frame: Frame, limit: int) -> list[Registration]:
    if limit <= 0:
        return []
    return list(
        Registration.objects.select_for_update()
        .filter(frame=frame, status=Status.WAITLISTED)
        .select_related("user", "event")
        .order_by("waitlist_key")[:limit]
    )


def free_seats(frame: Frame) -> int:
    """Free seats of a locked frame (re-read, since UPDATEs bypass the instance)."""
    frame.refresh_from_db(fields=["capacity", "accept_limit", "accepted_count"])
    return max(frame.seat_limit - frame.accepted_count, 0)
