"""Attendance numbers for organizers and each person's attendance history."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from kaisai.accounts.models import User
from kaisai.checkin.models import CheckIn
from kaisai.events.models import Event
from kaisai.events.selectors import LISTED_STATUSES
from kaisai.registrations.enums import Status
from kaisai.registrations.models import Registration


def attendance_numbers(event: Event) -> dict[str, float | int | None]:
    """applied, accepted, waitlisted, cancelled, attended, no-show and the attendance rate.

    No-shows are accepted registrations neither checked in nor cancelled; they are counted
    once the event has ended (before that, they may still come)."""
    counts = Registration.objects.filter(event=event).aggregate(
        applied=Count("id"),
        accepted=Count("id", filter=Q(status=Status.ACCEPTED)),
        waitlisted=Count("id", filter=Q(status=Status.WAITLISTED)),
        cancelled=Count("id", filter=Q(status=Status.CANCELLED)),
        attended=Count("id", filter=Q(status=Status.ACCEPTED, checkin__isnull=False)),
    )
    ended = event.ends_at <= timezone.now()
    no_show = counts["accepted"] - counts["attended"] if ended else None
    rate = counts["attended"] / counts["accepted"] if counts["accepted"] else None
    return {**counts, "no_show": no_show, "attendance_rate": rate}


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
    """Public events the person checked in at, newest first (a profile's "attended")."""
    return events_attended_by(user).filter(status__in=LISTED_STATUSES)
