"""Reads behind the attendance pages: an event's accepted people with their check-ins, and a
person's history with what each row means (attended, no-show, upcoming) and their rate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kaisai.accounts.models import User
from kaisai.checkin.models import CheckIn, Ticket
from kaisai.checkin.selectors import attendance_history
from kaisai.events.access import public_q
from kaisai.events.enums import EventStatus
from kaisai.events.models import Event
from kaisai.registrations.csv_export import RowCells, local_time
from kaisai.registrations.enums import Status
from kaisai.registrations.models import Registration
from kaisai.registrations.selectors import speaker_user_ids

SHOW_CHOICES = ("all", "attended", "not_attended")


def _related(registration: Registration, name: str):
    try:
        return getattr(registration, name)
    except ObjectDoesNotExist:
        return None


def attendance_rows(event: Event, *, show: str = "all") -> list[Registration]:
    """Accepted registrations with `.arrival` (CheckIn or None, with `by`) and `.the_ticket`.

    One query whatever the number of rows."""
    rows: QuerySet[Registration] = (
        Registration.objects.filter(event=event, status=Status.ACCEPTED)
        .select_related("user", "frame", "checkin", "checkin__by", "ticket")
        .order_by("frame__order", "frame_id", "user__nickname")
    )
    if show == "attended":
        rows = rows.filter(checkin__isnull=False)
    elif show == "not_attended":
        rows = rows.filter(checkin__isnull=True)
    result = list(rows)
    speakers = speaker_user_ids(event.pk, [row.user_id for row in result])
    for row in result:
        row.arrival = _related(row, "checkin")
        row.the_ticket = _related(row, "ticket")
        row.is_speaker = row.user_id in speakers
    return result


def checkins_and_tickets(event: Event) -> tuple[dict[int, CheckIn], dict[int, int]]:
    """{registration id: check-in} and {registration id: receipt number}: two queries (CSV)."""
    checkins = {c.registration_id: c for c in CheckIn.objects.filter(event=event)}
    receipts = dict(
        Ticket.objects.filter(event=event).values_list("registration_id", "receipt_number")
    )
    return checkins, receipts


def csv_columns(event: Event) -> tuple[list[str], RowCells]:
    """The organizers' CSV export's check-in columns (registered with
    registrations.csv_export in CheckinConfig.ready()): two queries per export."""
    checkins, receipts = checkins_and_tickets(event)
    yes, no = _("yes"), _("no")

    def cells(registration: Registration) -> list[Any]:
        checkin = checkins.get(registration.pk)
        return [
            yes if checkin else no,
            local_time(checkin.checked_in_at, event) if checkin else "",
            receipts.get(registration.pk, ""),
        ]

    return [_("Checked in"), _("Checked in at"), _("Receipt number")], cells


@dataclass
class History:
    rows: list[Registration]
    attended: int
    no_show: int
    upcoming: int

    @property
    def rate(self) -> float | None:
        """Attended out of the held events the person had a seat at (None if none yet)."""
        decided = self.attended + self.no_show
        return self.attended / decided if decided else None


def history(user: User, *, group=None) -> History:
    """A person's accepted registrations (newest first), each with `.outcome`: attended,
    no_show, upcoming or not_held (cancelled or postponed). One query."""
    now = timezone.now()
    rows = list(attendance_history(user, group=group).filter(public_q("event__")))
    counts = {"attended": 0, "no_show": 0, "upcoming": 0, "not_held": 0}
    for row in rows:
        event = row.event
        if row.attended:  # type: ignore[attr-defined]
            outcome = "attended"
        elif event.status in (EventStatus.CANCELLED, EventStatus.POSTPONED):
            outcome = "not_held"
        elif event.ends_at > now:
            outcome = "upcoming"
        else:
            outcome = "no_show"
        row.outcome = outcome
        counts[outcome] += 1
    return History(rows, counts["attended"], counts["no_show"], counts["upcoming"])
