"""The organizer's view of the show-up forecast (issue 12): per frame what the forecast app
says, put in the terms of the forecast card — expected attendance with its 5–95% interval,
the risk of more arrivals than seats, seats likely empty and how many more to accept or
promote — and the group's history of forecast against actual.

Every number comes from `kaisai.forecast.selectors`; nothing here computes a probability,
and nothing here shows one person's probability (the card works on frames only).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, Sum

from kaisai.events.models import Event
from kaisai.forecast.selectors import FrameForecast, event_forecast, group_forecast_history
from kaisai.groups.models import Group
from kaisai.registrations.enums import Method, Status
from kaisai.registrations.models import Frame, LotteryDraw


@dataclass(frozen=True)
class FrameCard:
    """One frame of the forecast card."""

    frame: Frame
    forecast: FrameForecast
    applied: int = 0  # applicants waiting for a decision (a lottery's entrants)
    lottery_pending: bool = False  # a lottery not drawn yet: the draw decides who is accepted

    @property
    def capacity(self) -> int:
        return self.frame.capacity

    @property
    def overflow_percent(self) -> float:
        return 100 * self.forecast.overflow_probability

    @property
    def likely_empty(self) -> int:
        """Seats likely empty: the seats minus the expected arrivals (never below 0)."""
        return max(0, round(self.frame.capacity - self.forecast.expected_attendance))

    @property
    def to_add(self) -> int:
        """How many more the forecast says to accept (promoting the waitlist first)."""
        return max(0, self.forecast.recommended_accept - self.forecast.accepted)

    @property
    def to_promote(self) -> int:
        return min(self.to_add, self.forecast.waitlisted)

    @property
    def to_draw(self) -> int:
        """A pending lottery: how many of its applicants the draw should accept."""
        return min(self.forecast.recommended_accept, self.forecast.accepted + self.applied)

    @property
    def to_accept_new(self) -> int:
        return self.to_add - self.to_promote

    @property
    def over_recommended(self) -> int:
        """Accepted beyond the recommendation (nobody is ever demoted; shown as a caution)."""
        return max(0, self.forecast.accepted - self.forecast.recommended_accept)


def event_forecast_cards(event: Event) -> list[FrameCard]:
    """The forecast card of an event: one entry per frame with seats, in the frames' order
    (`forecast.selectors.event_forecast`: a fixed number of queries whatever the number of
    people)."""
    facts = {
        pk: (applied, drawn)
        for pk, applied, drawn in Frame.objects.filter(event=event, capacity__gt=0)
        .annotate(
            n_applied=Count("registrations", filter=Q(registrations__status=Status.APPLIED)),
            drawn=Exists(LotteryDraw.objects.filter(frame=OuterRef("pk"), drawn_at__isnull=False)),
        )
        .values_list("pk", "n_applied", "drawn")
    }
    frames = Frame.objects.in_bulk(list(facts))
    cards = []
    for forecast in event_forecast(event):
        frame = frames.get(forecast.frame_id or 0)
        if frame is not None:
            applied, drawn = facts[frame.pk]
            pending = frame.method == Method.LOTTERY and not drawn
            cards.append(
                FrameCard(frame=frame, forecast=forecast, applied=applied, lottery_pending=pending)
            )
    return cards


@dataclass(frozen=True)
class HistoryRow:
    """One held event: what the forecast expected (from the history before it) and who came."""

    event: Event
    capacity: int
    accepted: int
    expected_attendance: float
    low: int
    high: int
    actual: int
    base_expected: float  # the group's base rate alone, for comparison

    @property
    def label(self) -> str:
        return f"#{self.event.number}" if self.event.number else self.event.title

    @property
    def inside_interval(self) -> bool:
        return self.low <= self.actual <= self.high


def forecast_history(group: Group) -> list[HistoryRow]:
    """The group's held events, oldest first, with the forecast, the seats and who came
    (`forecast.selectors.group_forecast_history`; events and seats in two more queries)."""
    results = group_forecast_history(group)
    ids = [result.event_id for result in results]
    events = Event.objects.in_bulk(ids)
    seats = dict(
        Frame.objects.filter(event_id__in=ids)
        .values("event_id")
        .annotate(total=Sum("capacity"))
        .values_list("event_id", "total")
    )
    rows = [
        HistoryRow(
            event=events[result.event_id],
            capacity=seats.get(result.event_id) or 0,
            accepted=result.accepted,
            expected_attendance=result.expected,
            low=result.low,
            high=result.high,
            actual=result.actual,
            base_expected=result.base_expected,
        )
        for result in results
        if result.event_id in events
    ]
    return sorted(rows, key=lambda row: row.event.starts_at)
