"""Attendance numbers for organizers and each person's attendance history."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone

from kaisai.accounts.models import User
from kaisai.accounts.selectors import listed_q
from kaisai.checkin.models import CheckIn
from kaisai.events.models import Event
from kaisai.events.selectors import LISTED_STATUSES
from kaisai.registrations.enums import Status
from kaisai.registrations.models import Registration
from kaisai.registrations.selectors import status_counts


def attendance_numbers(event: Event) -> dict[str, float | int | None]:
    """total, applied, accepted, waitlisted, cancelled, attended, no-show and the attendance
    rate. The numbers per status are `registrations.selectors.status_counts`, the same the
    registrations page's status line shows: "applied" is the status (waiting for a lottery
    or an organizer's decision), "total" every registration.

    No-shows are accepted registrations neither checked in nor cancelled; they are counted
    once the event has ended (before that, they may still come)."""
    by_status = status_counts(event)
    counts: dict[str, float | int | None] = {
        "total": sum(by_status.values()),
        "applied": by_status[Status.APPLIED],
        "accepted": by_status[Status.ACCEPTED],
        "waitlisted": by_status[Status.WAITLISTED],
        "cancelled": by_status[Status.CANCELLED],
    }
    attended = Registration.objects.filter(
        event=event, status=Status.ACCEPTED, checkin__isnull=False
    ).count()
    accepted = by_status[Status.ACCEPTED]
    ended = event.ends_at <= timezone.now()
    return {
        **counts,
        "attended": attended,
        "no_show": accepted - attended if ended else None,
        "attendance_rate": attended / accepted if accepted else None,
    }


def checked_in_count(event: Event) -> tuple[int, int]:
    """(checked in, accepted): the reception's live counter."""
    counts = Registration.objects.filter(event=event, status=Status.ACCEPTED).aggregate(
        accepted=Count("id"), attended=Count("checkin")
    )
    return counts["attended"], counts["accepted"]


def attendance_history(user: User, *, group=None) -> QuerySet[Registration]:
    """A person's accepted registrations with whether they came, newest first."""
    rows = (
        Registration.objects.filter(user=user, status=Status.ACCEPTED)
        .select_related("event__group", "frame")
        .annotate(attended=Exists(CheckIn.objects.filter(registration=OuterRef("pk"))))
        .order_by("-event__starts_at")
    )
    if group is not None:
        rows = rows.filter(event__group=group)
    return rows


def events_attended_by(user: User) -> QuerySet[Event]:
    return (
        Event.objects.filter(checkins__registration__user=user)
        .select_related("group")
        .order_by("-starts_at", "-id")
        .distinct()
    )


def public_events_attended_by(user: User) -> QuerySet[Event]:
    """Public events the person checked in at and chose to appear in the participants list
    of, newest first (a profile's "attended", API v2's attended events): a hidden participant
    is never named as one, not even on their own profile's list (docs/participants.md)."""
    shown = CheckIn.objects.filter(listed_q("registration__"), registration__user=user)
    return (
        Event.objects.filter(pk__in=shown.values("event_id"), status__in=LISTED_STATUSES)
        .select_related("group")
        .order_by("-starts_at", "-id")
    )


def days_from_event(event: Event, moment=None) -> int:
    """0 on the event's day(s) in its own time zone; otherwise how many days before (> 0) or
    after (< 0) them `moment` (default now) is. The reception warns when it is not 0."""
    today = timezone.localtime(moment or timezone.now(), event.tz).date()
    first = timezone.localtime(event.starts_at, event.tz).date()
    last = timezone.localtime(event.ends_at, event.tz).date()
    if today < first:
        return (first - today).days
    if today > last:
        return -(today - last).days
    return 0
