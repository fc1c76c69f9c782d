"""Copy as next (docs/copy-as-next.md): an event's frames and questionnaire onto the next
event of the series, their times moved with the event's date.

Every frame field is copied (capacity, method, fee, speakers' frame settings, standby,
fill-the-room mode and risk, order) and its times — registration opens and closes, lottery
time, waitlist promotion cutoff — keep their wall-clock distance from the start in the
event's zone. What happened in the old frames is not: no registrations, no draw (a new
lottery gets a new secret seed and commitment), no counters, no planned accept limit
(re-planned by the forecast). A copied frame whose registration would open, close, or be
drawn in the past is refused before anything is written (`RegistrationError`, code
`window_in_past`): choose a later date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kaisai.accounts.models import User
from kaisai.events.models import Event
from kaisai.events.services import shift_time
from kaisai.registrations.errors import RegistrationError
from kaisai.registrations.models import Frame, Question
from kaisai.registrations.services import frames as frame_services

COPIED_FIELDS = ("name", "description", "method", "fee", "order", "requires_talk",
                 "overbooking", "overflow_risk", "standby_after_minutes", "speakers_keep_seat",
                 "accepts_lottery_losers")  # fmt: skip
# The times that must lie ahead in the copy (the promotion cutoff may be anything).
MUST_BE_AHEAD = ("opens_at", "closes_at", "lottery_at")


@dataclass
class FrameCopy:
    """One frame as it will be copied: the source and its moved times."""

    source: Frame
    times: dict[str, datetime | None]

    @property
    def in_past(self) -> list[str]:
        now = timezone.now()
        return [name for name in MUST_BE_AHEAD if (t := self.times.get(name)) and t <= now]


def planned_frames(event: Event, new_starts_at: datetime) -> list[FrameCopy]:
    """The event's frames with their times moved to `new_starts_at` (a read: the preview
    shows it, `copy_frames` writes it)."""
    return [
        FrameCopy(
            source=frame,
            times={
                name: shift_time(getattr(frame, name), event=event, new_start=new_starts_at)
                for name in frame_services.FRAME_TIMES
            },
        )
        for frame in Frame.objects.filter(event=event).order_by("order", "id")
    ]


def lead_time(event: Event) -> timedelta:
    """How long before the start the event's frames first open or draw (zero without such
    times): the next date must be at least that far ahead for its copied windows to lie ahead."""
    times = [
        getattr(frame, name)
        for frame in Frame.objects.filter(event=event)
        for name in MUST_BE_AHEAD
        if getattr(frame, name) is not None
    ]
    earliest = min(times, default=event.starts_at)
    return max(event.starts_at - earliest, timedelta(0))


def check_frames(plan: list[FrameCopy]) -> None:
    """Refuse a copy that would put a frame's window or draw in the past."""
    late = [copy.source.name for copy in plan if copy.in_past]
    if late:
        raise RegistrationError(
            _(
                "The copy would put the registration window or lottery of these frames in the "
                "past: %(frames)s. Choose a later date."
            )
            % {"frames": ", ".join(late)},
            code="window_in_past",
        )


def copy_frames(*, source: Event, target: Event, by: User) -> list[Frame]:
    """Copy the frames of `source` onto `target` (its start is the new date), in the caller's
    transaction; nothing is written if one would open, close or be drawn in the past."""
    plan = planned_frames(source, target.starts_at)
    check_frames(plan)
    with transaction.atomic():
        return [
            frame_services.create_frame(
                event=target,
                by=by,
                capacity=copy.source.capacity,
                **{name: getattr(copy.source, name) for name in COPIED_FIELDS},
                **copy.times,
            )
            for copy in plan
        ]


def copy_questions(*, source: Event, target: Event) -> list[Question]:
    """The questionnaire, question by question (label, kind, choices, required, order)."""
    return Question.objects.bulk_create(
        Question(
            event=target,
            label=question.label,
            kind=question.kind,
            choices=question.choices,
            required=question.required,
            order=question.order,
        )
        for question in Question.objects.filter(event=source).order_by("order", "id")
    )
