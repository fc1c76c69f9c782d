"""The lottery draw: runs once per lottery frame, at its time, by the worker's ticker
(`draw_due_lotteries`, the one mechanism that draws; see `settings.KAISAI_PERIODIC_JOBS`)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from kaisai.groups.enums import Action
from kaisai.groups.services_log import log_action
from kaisai.registrations import hooks, lottery
from kaisai.registrations.enums import Method, Status
from kaisai.registrations.models import Frame, LotteryDraw, Registration
from kaisai.registrations.services import drawrows, filling, seats


def ensure_commitment(frame: Frame) -> LotteryDraw:
    """Create the secret seed and its public commitment for a lottery frame (once)."""
    draw, _ = LotteryDraw.objects.get_or_create(
        frame=frame,
        defaults=(lambda seed: {
            "seed": seed, "commitment": lottery.commitment(seed), "algorithm": lottery.ALGORITHM,
        })(lottery.new_seed()),
    )  # fmt: skip
    return draw


def draw_lottery(*, frame: Frame, force: bool = False) -> LotteryDraw:
    """Draw: nominated first, then by SHA-256(seed:id); accept up to the free seats and
    waitlist the rest in draw order. Idempotent: a drawn frame is returned as it is.
    In fill-the-room mode the frame is re-planned right before drawing, so the free seats
    are those of `accept_limit` (`filling.replan`)."""
    with transaction.atomic():
        frame = seats.lock_frames(frame.pk)[frame.pk]
        draw = LotteryDraw.objects.select_for_update().filter(frame=frame).first()
        if draw is None:
            draw = ensure_commitment(frame)
        if draw.is_drawn or frame.method != Method.LOTTERY:
            return draw
        if not force and frame.lottery_at and frame.lottery_at > timezone.now():
            return draw
        if frame.fills_the_room:
            filling.replan(frame=frame)
        # Ids only (a frame may have 100,000 applicants): no model instance per applicant, and
        # the writes go batch by batch in set-based statements (`drawrows`).
        applicants: list[int] = []
        # Speakers of the event (accepted or invited talks) are drawn first, like the
        # nominated, and win even beyond the free seats: a speaker seat (services.speakers).
        speakers: set[int] = set()
        rows = Registration.objects.select_for_update().filter(frame=frame, status=Status.APPLIED)
        pairs = rows.values_list("pk", "user_id").iterator(drawrows.BATCH)
        for read in drawrows.chunked(pairs):
            applicants += [pk for pk, _user in read]
            found = hooks.speakers_among(frame.event_id, [user for _pk, user in read])
            speakers.update(pk for pk, user in read if user in found)
        chosen = list(rows.filter(nominated=True).values_list("pk", flat=True))
        nominated = sorted(set(chosen) | speakers)
        order = lottery.draw_order(draw.seed, applicants, nominated)
        free = seats.free_seats(frame)
        winners = order[:free]
        winners += [rid for rid in order[free:] if rid in speakers]
        won = set(winners)
        rest = [rid for rid in order if rid not in won]
        base = seats.next_waitlist_key(frame.pk)
        for seated in drawrows.batches(winners):
            drawrows.set_status(seated, Status.ACCEPTED)
        for start in range(0, len(rest), drawrows.BATCH):
            waiting = rest[start : start + drawrows.BATCH]
            drawrows.set_status(waiting, Status.WAITLISTED, first_waitlist_key=base + start)
        frame.refresh_from_db(fields=["waitlist_seq"])
        frame.waitlist_seq = base + len(rest)
        frame.accepted_count += len(winners)
        Frame.objects.filter(pk=frame.pk).update(
            accepted_count=frame.accepted_count, waitlist_seq=frame.waitlist_seq
        )
        # The audit rows, mails and listeners, in draw order (tickets are numbered in it).
        for batch in drawrows.batches(order):
            drawrows.record(frame, batch, speakers=speakers, won=won)
        draw.applicants = sorted(applicants)
        draw.nominated = nominated
        draw.order = order
        draw.accepted = len(winners)
        draw.drawn_at = timezone.now()
        draw.save()
        log_action(
            group=frame.event.group_id,
            actor=None,  # the worker draws at the frame's time (an organizer's "draw now": force)
            action=Action.LOTTERY_DRAWN,
            event=frame.event_id,
            frame=frame.name,
            applicants=len(applicants),
            accepted=len(winners),
            forced=force,
        )
    return draw


def draw_due_lotteries() -> int:
    """Draw every lottery whose time has passed (catches up times missed while no worker ran)."""
    due = Frame.objects.filter(method=Method.LOTTERY, lottery_at__lte=timezone.now()).exclude(
        draw__drawn_at__isnull=False
    )
    count = 0
    for frame in due:
        if draw_lottery(frame=frame).is_drawn:
            count += 1
    return count
