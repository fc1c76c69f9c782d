"""Creating and changing frames (参加枠)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from kaisai.events.models import Event
from kaisai.registrations.enums import Method
from kaisai.registrations.errors import RegistrationError
from kaisai.registrations.models import Frame, LotteryDraw
from kaisai.registrations.services import draws, organizers

EDITABLE = ("name", "description", "method", "lottery_at", "opens_at", "closes_at",
            "promotion_cutoff", "fee", "order", "requires_talk")  # fmt: skip


def _check(frame: Frame) -> None:
    if frame.method == Method.LOTTERY and frame.lottery_at is None:
        raise RegistrationError({"lottery_at": [_("A lottery frame needs a lottery time.")]})
    if frame.opens_at and frame.closes_at and frame.closes_at <= frame.opens_at:
        raise RegistrationError({"closes_at": [_("Registration must close after it opens.")]})


def _schedule_draw(frame: Frame) -> None:
    if frame.method != Method.LOTTERY or frame.lottery_at is None:
        return
    from kaisai.registrations.tasks import draw_lottery_task

    if not draw_lottery_task.get_backend().supports_defer:
        return  # the worker's ticker draws due lotteries anyway (every 15 s)
    frame_id, when = frame.pk, frame.lottery_at
    transaction.on_commit(
        lambda: draw_lottery_task.using(run_after=when).enqueue(frame_id)  # type: ignore[attr-defined]
    )


def create_frame(*, event: Event, by, capacity: int, **fields) -> Frame:
    frame = Frame(event=event, capacity=capacity, **fields)
    _check(frame)
    with transaction.atomic():
        frame.save()
        if frame.method == Method.LOTTERY:
            draws.ensure_commitment(frame)
        _schedule_draw(frame)
    return frame


def update_frame(*, frame: Frame, by, capacity: int | None = None, **fields) -> Frame:
    drawn = LotteryDraw.objects.filter(frame=frame, drawn_at__isnull=False).exists()
    if drawn and ("method" in fields and fields["method"] != frame.method):
        raise RegistrationError(_("The lottery has been drawn; the method cannot change."))
    if frame.registrations.exists() and fields.get("method", frame.method) != frame.method:
        raise RegistrationError(_("People have registered; the method cannot change."))
    for name, value in fields.items():
        if name not in EDITABLE:
            raise ValueError(name)
        setattr(frame, name, value)
    _check(frame)
    with transaction.atomic():
        Frame.objects.filter(pk=frame.pk).update(**{name: getattr(frame, name) for name in fields})
        if frame.method == Method.LOTTERY:
            draws.ensure_commitment(frame)
            if "lottery_at" in fields:
                _schedule_draw(frame)
        if capacity is not None and capacity != frame.capacity:
            frame = organizers.change_capacity(frame=frame, capacity=capacity, by=by)
    return frame
