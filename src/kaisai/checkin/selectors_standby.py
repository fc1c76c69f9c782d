"""The reception's standby panel (当日補欠): per frame with standby at the door, its seats,
who is checked in, the free seats and the waiting standbys in waitlist order. Three queries
whatever the number of frames and standbys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count
from django.utils import timezone

from kaisai.checkin.models import CheckIn
from kaisai.events.models import Event
from kaisai.registrations.enums import Status
from kaisai.registrations.models import Frame, Registration


@dataclass(frozen=True)
class StandbyFrame:
    frame: Frame
    opens_at: datetime
    is_open: bool
    checked_in: int
    standbys: list[Registration]

    @property
    def seats(self) -> int:
        return self.frame.capacity

    @property
    def free(self) -> int:
        """Seats in the room minus the people of the frame checked in."""
        return max(self.frame.capacity - self.checked_in, 0)

    @property
    def can_admit(self) -> bool:
        return self.is_open and self.free > 0 and bool(self.standbys)


def checked_in_by_frame(frame_ids: list[int]) -> dict[int, int]:
    """{frame id: people of the frame checked in (accepted registrations)}. One query."""
    rows = (
        CheckIn.objects.filter(
            registration__frame_id__in=frame_ids, registration__status=Status.ACCEPTED
        )
        .values_list("registration__frame_id")
        .annotate(n=Count("id"))
    )
    return {frame_id: count for frame_id, count in rows}


def standby_panel(event: Event, *, now: datetime | None = None) -> list[StandbyFrame]:
    now = now or timezone.now()
    frames = list(
        Frame.objects.filter(event=event, standby_after_minutes__isnull=False).order_by(
            "order", "id"
        )
    )
    if not frames:
        return []
    checked_in = checked_in_by_frame([frame.pk for frame in frames])
    standbys: dict[int, list[Registration]] = {frame.pk: [] for frame in frames}
    rows = (
        Registration.objects.filter(
            frame__in=frames, status=Status.WAITLISTED, standby=True
        )
        .select_related("user")
        .order_by("frame_id", "waitlist_key")
    )
    for row in rows:
        standbys[row.frame_id].append(row)
    panel = []
    for frame in frames:
        frame.event = event
        opens_at = event.starts_at + timedelta(minutes=frame.standby_after_minutes or 0)
        panel.append(
            StandbyFrame(
                frame=frame,
                opens_at=opens_at,
                is_open=now >= opens_at,
                checked_in=checked_in.get(frame.pk, 0),
                standbys=standbys[frame.pk],
            )
        )
    return panel
