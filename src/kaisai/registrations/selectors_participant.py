"""Reads behind the participant pages: my registration, my events, the lottery page."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from kaisai.accounts.models import User
from kaisai.accounts.requests import AnyUser
from kaisai.core.compiled import CompiledQuery
from kaisai.events.access import public_q
from kaisai.events.models import Event
from kaisai.registrations.enums import ACTIVE_STATUSES, Status
from kaisai.registrations.models import Answer, Frame, LotteryDraw, Registration
from kaisai.registrations.selectors import with_waitlist_positions


def _active_first(queryset: QuerySet[Registration]) -> QuerySet[Registration]:
    return queryset.annotate(
        inactive=Case(
            When(status__in=ACTIVE_STATUSES, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    )


def _ahead_in_waitlist() -> Subquery:
    """An annotation: how many of the frame's waitlisted people are before this one."""
    return Subquery(
        Registration.objects.filter(
            frame_id=OuterRef("frame_id"),
            status=Status.WAITLISTED,
            waitlist_key__lt=OuterRef("waitlist_key"),
        )
        .order_by()
        .values("frame_id")
        .annotate(n=Count("pk"))
        .values("n")[:1],
        output_field=IntegerField(),
    )


def latest_registration(
    event: Event, user: AnyUser, *, with_answers: bool = False, with_position: bool = False
) -> Registration | None:
    """The user's active registration to the event, else their latest cancelled or rejected
    one (None for anonymous users and people who never registered). `with_position`: its
    waitlist position is set (`.position`, None unless waitlisted) by the same query."""
    if not user.is_authenticated:
        return None
    if with_position and not with_answers:
        registration = _LATEST_WITH_POSITION.first(event=event.pk, user=user.pk)
    else:
        registrations = _latest(event.pk, user.pk)
        if with_position:
            registrations = registrations.annotate(n_ahead=_ahead_in_waitlist())
        registration = (
            _with_answers(registrations).first() if with_answers else registrations.first()
        )
    if with_position and registration is not None:
        waitlisted = registration.status == Status.WAITLISTED
        registration.position = (registration.n_ahead or 0) + 1 if waitlisted else None  # type: ignore[attr-defined]
    return registration


def _latest(event_id: int, user_id: int) -> QuerySet[Registration]:
    return _active_first(
        Registration.objects.filter(event_id=event_id, user_id=user_id).select_related(
            "frame", "frame__draw"
        )
    ).order_by("inactive", "-created_at", "-id")


# The event page's read of the visitor's registration, on every logged-in answer: compiled once.
_LATEST_WITH_POSITION: CompiledQuery[Registration] = CompiledQuery(
    lambda event, user: _latest(event, user).annotate(n_ahead=_ahead_in_waitlist()),
    "event",
    "user",
)


def _with_answers(registrations: QuerySet[Registration]) -> QuerySet[Registration]:
    return registrations.prefetch_related(
        Prefetch(
            "answers",
            queryset=Answer.objects.select_related("question").order_by(
                "question__order", "question_id"
            ),
        )
    )


def afterparty_q() -> Q:
    return Q(afterparty=True, status__in=ACTIVE_STATUSES)


def afterparty_signups(event: Event) -> int:
    """Active registrations that join the after-party (counted by the event page's query
    when it annotated `n_afterparty`)."""
    counted = getattr(event, "n_afterparty", None)
    if counted is not None:
        return counted
    return Registration.objects.filter(afterparty_q(), event=event).count()


def my_events(user: User) -> tuple[list[Registration], list[Registration]]:
    """(upcoming, past) registrations of a user, one per event: the active one, else the
    latest. Upcoming soonest first, past latest first; waitlist positions set (`.position`).
    Three queries whatever the number of events."""
    registrations = _active_first(
        Registration.objects.filter(user=user)
        .filter(public_q("event__"))
        .select_related("event", "event__group", "frame")
    ).order_by("event_id", "inactive", "-created_at", "-id")
    seen: set[int] = set()
    chosen: list[Registration] = []
    for registration in registrations:
        if registration.event_id not in seen:
            seen.add(registration.event_id)
            chosen.append(registration)
    with_waitlist_positions(chosen)
    now = timezone.now()

    def when(registration: Registration):
        return (registration.event.starts_at, registration.event_id)

    upcoming = sorted((r for r in chosen if r.event.ends_at >= now), key=when)
    past = sorted((r for r in chosen if r.event.ends_at < now), key=when, reverse=True)
    return upcoming, past


def my_registration_ids(frame: Frame, user: AnyUser, *, status: str = "") -> set[int]:
    """Ids of the registrations (of any status, or of `status`) the user made to a frame."""
    if not user.is_authenticated:
        return set()
    registrations = Registration.objects.filter(frame=frame, user=user)
    if status:
        registrations = registrations.filter(status=status)
    return set(registrations.values_list("pk", flat=True))


@dataclass(frozen=True)
class DrawRow:
    rank: int
    registration_id: int
    accepted: bool
    nominated: bool
    mine: bool


def draw_rows(draw: LotteryDraw, mine: set[int]) -> list[DrawRow]:
    """The published draw order as rows: the first `draw.accepted` won a seat."""
    nominated = set(draw.nominated)
    return [
        DrawRow(
            rank=index + 1,
            registration_id=rid,
            accepted=index < draw.accepted,
            nominated=rid in nominated,
            mine=rid in mine,
        )
        for index, rid in enumerate(draw.order)
    ]
