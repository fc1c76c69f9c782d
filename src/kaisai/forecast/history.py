"""The facts the show-up model learns from, read from the registrations, check-ins and
reconfirmations kaisai holds (docs/full-rooms.md). A bounded number of queries whatever the
number of people.

- attended: an accepted registration of a held event (published and ended) with a check-in;
- no-show: still accepted at the event's end without a check-in;
- late cancel: cancelled from accepted within 24 h before the start (or after it), by the
  audit log's time. An earlier cancel freed the seat in time: not in the record.

With each, whether and when the person was asked "still coming?" (the outbox's mail).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from kaisai.checkin.models import CheckIn
from kaisai.events.enums import EventStatus
from kaisai.events.models import Event
from kaisai.forecast.model import Features, Outcome, Record, silence
from kaisai.notices.selectors_reminders import asked_at
from kaisai.registrations.enums import ACTIVE_STATUSES, Status
from kaisai.registrations.models import Registration, RegistrationLog

LATE_CANCEL = timedelta(hours=24)


@dataclass(frozen=True)
class History:
    outcomes: list[Outcome]
    # every registration accepted at some point (outcomes and early cancels), and how long
    # before the start (hours) each of those cancelled before the start did: the rate at
    # which seats still free up from some moment on (promotions)
    accepted_ever: int = 0
    cancel_leads: tuple[float, ...] = ()

    @property
    def cancelled_before_start(self) -> int:
        return len(self.cancel_leads)

    @property
    def cancel_rate(self) -> float:
        return self.cancelled_before_start / self.accepted_ever if self.accepted_ever else 0.0

    def cancel_rate_between(self, hours_before: float, until_hours_before: float) -> float:
        """Of the accepted still holding their seat `hours_before` the start, the share that
        cancelled later but more than `until_hours_before` the start (the promotion cutoff)."""
        still = self.accepted_ever - sum(1 for h in self.cancel_leads if h > hours_before)
        later = sum(1 for h in self.cancel_leads if until_hours_before < h <= hours_before)
        return later / still if still > 0 else 0.0


def lead_days(starts_at: datetime, registered_at: datetime) -> float:
    return max((starts_at - registered_at).total_seconds() / 86400.0, 0.0)


def _held(moment: datetime) -> QuerySet[Registration]:
    """Registrations of events held (published and ended) by `moment` and not later than now,
    accepted at the end or cancelled from accepted, annotated with what happened."""
    cancelled_at = (
        RegistrationLog.objects.filter(
            registration=OuterRef("pk"),
            to_status=Status.CANCELLED,
            from_status=Status.ACCEPTED,
        )
        .order_by("-created_at", "-id")
        .values("created_at")[:1]
    )
    return (
        Registration.objects.filter(
            event__status=EventStatus.PUBLISHED,
            event__ends_at__lte=min(moment, timezone.now()),
            status__in=[Status.ACCEPTED, Status.CANCELLED],
        )
        .annotate(
            came=Exists(CheckIn.objects.filter(registration=OuterRef("pk"))),
            cancelled_at=Subquery(cancelled_at),
            asked_at=asked_at(),
        )
        .filter(Q(status=Status.ACCEPTED) | Q(cancelled_at__isnull=False))
    )


_FIELDS = (
    "user_id",
    "event_id",
    "status",
    "created_at",
    "came",
    "cancelled_at",
    "event__starts_at",
    "event__ends_at",
    "event__group_id",
    "frame__requires_talk",
    "reconfirmation__answer",
    "asked_at",
)


def _outcome(row: dict[str, Any]) -> Outcome | None:
    """None for a cancel in time (not in the record)."""
    starts_at = row["event__starts_at"]
    cancelled_hours_before = None
    if row["status"] == Status.CANCELLED:
        if row["cancelled_at"] < starts_at - LATE_CANCEL:
            return None
        came = False
        cancelled_hours_before = (starts_at - row["cancelled_at"]).total_seconds() / 3600.0
    else:
        came = bool(row["came"])
    return Outcome(
        user_id=row["user_id"],
        event_id=row["event_id"],
        group_id=row["event__group_id"],
        starts_at=starts_at,
        ends_at=row["event__ends_at"],
        features=Features(
            talk=row["frame__requires_talk"],
            lead_days=lead_days(starts_at, row["created_at"]),
            reconfirmation=row["reconfirmation__answer"] or "",
            silence=silence(row["asked_at"], starts_at),
        ),
        came=came,
        cancelled_hours_before=cancelled_hours_before,
    )


def group_history(group_id: int | None, moment: datetime, *, with_people: bool = False) -> History:
    """The group's held events that ended by `moment` (one query); all groups' for None.
    `with_people`: also the other groups' outcomes of the people who registered with the group
    (what a backtest needs for their records elsewhere; the counts are not for the rates)."""
    outcomes: list[Outcome] = []
    accepted_ever = 0
    leads: list[float] = []
    rows = _held(moment).order_by("event__starts_at", "id")
    if group_id is not None:
        here = Q(event__group_id=group_id)
        if with_people:
            people = Registration.objects.filter(event__group_id=group_id).values("user_id")
            here |= Q(user_id__in=people)
        rows = rows.filter(here)
    for row in rows.values(*_FIELDS):
        accepted_ever += 1
        if row["status"] == Status.CANCELLED and row["cancelled_at"] < row["event__starts_at"]:
            lead = row["event__starts_at"] - row["cancelled_at"]
            leads.append(lead.total_seconds() / 3600.0)
        outcome = _outcome(row)
        if outcome is not None:
            outcomes.append(outcome)
    return History(outcomes, accepted_ever, tuple(leads))


def elsewhere_records(
    user_ids: Iterable[int], *, group_id: int, moment: datetime
) -> dict[int, Record]:
    """Each person's aggregate record in the other groups (one query); only the counts leave
    this function."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    records: dict[int, Record] = defaultdict(Record)
    rows = _held(moment).filter(user_id__in=ids).exclude(event__group_id=group_id)
    for row in rows.values(*_FIELDS):
        outcome = _outcome(row)
        if outcome is not None:
            records[outcome.user_id] += Record(int(outcome.came), 1)
    return dict(records)


def event_history(event: Event) -> History:
    """History strictly before `event`: events of its group that ended by its start."""
    return group_history(event.group_id, event.starts_at)


def current_registrations(event: Event, *, frame_id: int | None = None) -> list[dict[str, Any]]:
    """The event's (or one frame's) active registrations with what the forecast reads (one
    query), in acceptance order: accepted, then the waitlist in order, then applicants."""
    rank = {Status.ACCEPTED: 0, Status.WAITLISTED: 1, Status.APPLIED: 2}
    registrations = Registration.objects.filter(event=event, status__in=ACTIVE_STATUSES)
    if frame_id is not None:
        registrations = registrations.filter(frame_id=frame_id)
    rows = list(
        registrations.annotate(
            checked_in=Exists(CheckIn.objects.filter(registration=OuterRef("pk"))),
            asked_at=asked_at(),
        ).values(
            "id",
            "user_id",
            "frame_id",
            "status",
            "created_at",
            "waitlist_key",
            "checked_in",
            "reconfirmation__answer",
            "asked_at",
        )
    )
    rows.sort(key=lambda r: (rank[r["status"]], r["waitlist_key"] or 0, r["id"]))
    return rows
