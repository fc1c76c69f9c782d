"""Reads of the registration core: counts, positions, lists."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from kaisai.accounts.requests import AnyUser
from kaisai.core import rawrows
from kaisai.events.enums import EventStatus
from kaisai.events.models import Event
from kaisai.registrations import hooks
from kaisai.registrations.enums import ACTIVE_STATUSES, Status
from kaisai.registrations.models import Frame, Question, Registration

# The hottest read of a registration rush, as one raw query (`core.rawrows`): the frame and
# its event by a join, and `has_questions`, which spares the questionnaire query. The long
# texts are left out: as with `.only()`, reading one loads it with a query of its own.
_FRAME_FIELDS = rawrows.fields_of(Frame, exclude=["description"])
_EVENT_FIELDS = rawrows.fields_of(
    Event,
    only=[
        "id", "group", "number", "title", "status", "starts_at", "ends_at", "time_zone",
        "afterparty_place", "afterparty_starts_at", "afterparty_fee", "afterparty_capacity",
    ],
)  # fmt: skip


@cache
def _frame_with_event_sql() -> str:
    frame, event = rawrows.columns(_FRAME_FIELDS, "f"), rawrows.columns(_EVENT_FIELDS, "e")
    return (
        f"SELECT {frame}, {event},"  # noqa: S608 (names from the models)
        " EXISTS (SELECT 1 FROM registrations_question q WHERE q.event_id = f.event_id)"
        " FROM registrations_frame f JOIN events_event e ON e.id = f.event_id WHERE f.id = %s"
    )


def frame_with_event(frame_id: int) -> Frame | None:
    """The frame with its event loaded and `has_questions` set (`services.register` then
    needs no questionnaire query for an event without one), or None. One query."""
    with connection.cursor() as cursor:
        cursor.execute(_frame_with_event_sql(), [frame_id])
        row = cursor.fetchone()
    if row is None:
        return None
    split = len(_FRAME_FIELDS)
    frame = rawrows.from_row(Frame, _FRAME_FIELDS, row[:split])
    frame.event = rawrows.from_row(Event, _EVENT_FIELDS, row[split:-1])
    frame.has_questions = bool(row[-1])  # type: ignore[attr-defined]
    return frame


def taking_registrations(frames: QuerySet[Frame], moment: datetime) -> QuerySet[Frame]:
    """The frames of `frames` that take registrations at `moment`: `Frame.window_now` == "open"
    (`models.registration_window`) as a query."""
    return (
        frames.filter(event__status=EventStatus.PUBLISHED)
        .filter(Q(opens_at__isnull=True) | Q(opens_at__lte=moment))
        .alias(closes=Coalesce("closes_at", "event__starts_at"))
        .filter(closes__gt=moment)
    )


def frames_with_counts(event: Event) -> QuerySet[Frame]:
    """Frames of an event with accepted/waitlisted/applied counts from the facts (one query)."""
    return (
        Frame.objects.filter(event=event)
        .select_related("draw")
        .annotate(
            n_accepted=Count("registrations", filter=Q(registrations__status=Status.ACCEPTED)),
            n_waitlisted=Count("registrations", filter=Q(registrations__status=Status.WAITLISTED)),
            n_applied=Count("registrations", filter=Q(registrations__status=Status.APPLIED)),
        )
        .order_by("order", "id")
    )


def waitlist_position(registration: Registration) -> int | None:
    if registration.status != Status.WAITLISTED:
        return None
    ahead = Registration.objects.filter(
        frame_id=registration.frame_id,
        status=Status.WAITLISTED,
        waitlist_key__lt=registration.waitlist_key,
    ).count()
    return ahead + 1


def with_waitlist_positions(registrations: list[Registration]) -> list[Registration]:
    """Set `.position` (waitlist position or None) on each, with one query for all frames."""
    frame_ids = {r.frame_id for r in registrations if r.status == Status.WAITLISTED}
    ranks: dict[int, int] = {}
    if frame_ids:
        waiting = (
            Registration.objects.filter(frame_id__in=frame_ids, status=Status.WAITLISTED)
            .order_by("frame_id", "waitlist_key")
            .values_list("pk", "frame_id")
        )
        last_frame, rank = None, 0
        for pk, frame_id in waiting:
            rank = rank + 1 if frame_id == last_frame else 1
            last_frame = frame_id
            ranks[pk] = rank
    for registration in registrations:
        registration.position = ranks.get(registration.pk)
    return registrations


def registration_of(event: Event, user: AnyUser) -> Registration | None:
    if not user.is_authenticated:
        return None
    return (
        Registration.objects.filter(event=event, user=user, status__in=ACTIVE_STATUSES)
        .select_related("frame")
        .first()
    )


def sees_participant_info(event: Event, user: AnyUser) -> bool:
    """Accepted participants (and, later, speakers) see the participant-only information."""
    if not user.is_authenticated:
        return False
    return Registration.objects.filter(event=event, user=user, status=Status.ACCEPTED).exists()


def registrations_for_organizers(
    event,
    *,
    status: str = "",
    frame_id: int | None = None,
    search: str = "",
    search_email: bool = True,
) -> QuerySet[Registration]:
    """An event's registrations for its organizers' list. `search_email=False` (reception
    staff, who do not see e-mail addresses) searches names and nicknames only."""
    registrations = (
        Registration.objects.filter(event=event)
        .select_related("user", "frame")
        .order_by("frame__order", "frame_id", "status", "waitlist_key", "id")
    )
    if status:
        registrations = registrations.filter(status=status)
    if frame_id:
        registrations = registrations.filter(frame_id=frame_id)
    if search:
        condition = Q(user__nickname__icontains=search) | Q(user__display_name__icontains=search)
        if search_email:
            condition |= Q(user__email__icontains=search)
        registrations = registrations.filter(condition)
    return registrations


def status_counts(event: Event) -> dict[str, int]:
    rows = Registration.objects.filter(event=event).values("status").annotate(n=Count("id"))
    counts = {status: 0 for status in Status.values}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def has_participants(nicknames: list[str]) -> Exists:
    """A condition on an event row: one of these people has an active registration (applied,
    accepted, waitlisted). The event search's `participant_nicknames` (set in
    RegistrationsConfig.ready())."""
    return Exists(
        Registration.objects.filter(
            event=OuterRef("pk"), status__in=ACTIVE_STATUSES, user__nickname__in=nicknames
        )
    )


def questions_of(event: Event) -> list[Question]:
    """The event's questionnaire, in its order (asked in every frame of the event)."""
    return list(Question.objects.filter(event=event).order_by("order", "id"))


def speaker_user_ids(event_id: int, user_ids) -> set[int]:
    """Those of `user_ids` who hold a speaker seat at the event (speakers of accepted or
    invited talks: the speaker finder talks connect); one query for all, none without users.
    The reception marks them."""
    return hooks.speakers_among(event_id, user_ids)
