"""The lottery draw: runs once per lottery frame, at its time, by the worker's ticker
(`draw_due_lotteries`, the one mechanism that draws; see `settings.KAISAI_PERIODIC_JOBS`)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from kaisai.groups.enums import Action
from kaisai.groups.services_log import log_action
from kaisai.registrations import hooks, lottery
from kaisai.registrations.enums import Method, Status
from kaisai.registrations.models import Frame, LotteryDraw, Registration
from kaisai.registrations.services import audit, filling, seats


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
        applicants = list(
            Registration.objects.select_for_update()
            .filter(frame=frame, status=Status.APPLIED)
            .select_related("user")
        )
        by_id = {registration.pk: registration for registration in applicants}
        # Speakers of the event (accepted or invited talks) are drawn first, like the
        # nominated, and win even beyond the free seats: a speaker seat (services.speakers).
        speaker_users = hooks.speakers_among(frame.event_id, (r.user_id for r in applicants))
        speakers = {r.pk for r in applicants if r.user_id in speaker_users}
        nominated = sorted(r.pk for r in applicants if r.nominated or r.pk in speakers)
        order = lottery.draw_order(draw.seed, by_id, nominated)
        free = seats.free_seats(frame)
        winners = order[:free]
        winners += [rid for rid in order[free:] if rid in speakers]
        rest = [rid for rid in order if rid not in set(winners)]
        for registration_id in winners:
            registration = by_id[registration_id]
            registration.status = Status.ACCEPTED
        base = seats.next_waitlist_key(frame.pk)
        for offset, registration_id in enumerate(rest):
            registration = by_id[registration_id]
            registration.status = Status.WAITLISTED
            registration.waitlist_key = base + offset
        Registration.objects.bulk_update(applicants, ["status", "waitlist_key"])
        frame.refresh_from_db(fields=["waitlist_seq"])
        frame.waitlist_seq = base + len(rest)
        frame.accepted_count += len(winners)
        Frame.objects.filter(pk=frame.pk).update(
            accepted_count=frame.accepted_count, waitlist_seq=frame.waitlist_seq
        )
        for registration_id in order:
            registration = by_id[registration_id]
            won = registration.status == Status.ACCEPTED
            reason = gettext_noop("lottery: won") if won else gettext_noop("lottery: waitlisted")
            if registration_id in speakers:
                reason = gettext_noop("lottery: speaker seat")
            audit.record(
                registration,
                from_status=Status.APPLIED,
                reason=reason,
                mail="lottery_won" if won else "lottery_waitlisted",
            )
        draw.applicants = sorted(by_id)
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
            applicants=len(by_id),
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
