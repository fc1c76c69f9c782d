"""Forecasts of who comes, per frame and event, from current facts (docs/full-rooms.md).

Only code sees a single person's probability (`show_probabilities`); pages and the API show
the frame's and event's totals.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kaisai.checkin.models import CheckIn
from kaisai.events.models import Event
from kaisai.forecast import history
from kaisai.forecast import poisson_binomial as pb
from kaisai.forecast.backtest import HISTORY_EVENTS, EventResult, forecast_history
from kaisai.forecast.model import (
    Features,
    GroupModel,
    Record,
    late_cancel_share,
    learn,
    silence,
    still_holding,
)
from kaisai.groups.models import Group
from kaisai.notices.selectors_reminders import asked_at
from kaisai.registrations.enums import Method, Status
from kaisai.registrations.models import Frame, LotteryDraw, Registration

DEFAULT_RISK = 0.05
MAX_RISK = 0.5
# Beyond the people known, the planner counts on future applicants with the newcomers'
# probability, up to this many times the seats (so a first-come frame takes them at once).
FUTURE_FACTOR = 10


@dataclass(frozen=True)
class FrameForecast:
    expected_attendance: float
    low: int  # 5% quantile of the number who come
    high: int  # 95% quantile
    overflow_probability: float  # P(arrivals > capacity)
    recommended_accept: int
    accepted: int
    waitlisted: int
    expected_promotions: float
    based_on_history: bool
    explanation: str
    frame_id: int | None = None
    capacity: int = 0


@dataclass
class _Context:
    event: Event
    model: GroupModel
    history: history.History
    elsewhere: dict[int, Record]
    now: datetime
    # of the record's non-comers, the share who had cancelled by now (model.late_cancel_share):
    # everyone the forecast reads still holds a registration, so is not one of them
    late_share: float = 0.0
    # … and by the doors: the planner counts on no cancel that has not happened (a cancel
    # frees its seat when it comes, and the next re-plan fills it), as it already does for
    # the cancels in time, which the record leaves out
    door_share: float = 0.0

    def probability(
        self, row: dict[str, Any], talk: bool, model: GroupModel | None = None
    ) -> float:
        return still_holding(self.unconditioned(row, talk, model), self.late_share)

    def unconditioned(
        self, row: dict[str, Any], talk: bool, model: GroupModel | None = None
    ) -> float:
        """P(comes) of someone accepted a day before the start (model steps 1–3)."""
        features = Features(
            talk=talk,
            lead_days=history.lead_days(self.event.starts_at, row["created_at"]),
            reconfirmation=row["reconfirmation__answer"] or "",
            silence=silence(row.get("asked_at"), self.now),
        )
        return (model or self.model).probability(
            row["user_id"], features, self.elsewhere.get(row["user_id"], Record())
        )

    def scenarios(self) -> list[GroupModel]:
        """The model at each of the group's possible rates (model.GroupModel.rate_points)."""
        return [self.model.at_rate(rate) for rate in self.model.rate_points()]


def _context(event: Event, rows: Sequence[dict[str, Any]]) -> _Context:
    moment = event.starts_at
    past = history.event_history(event)
    elsewhere = history.elsewhere_records(
        (r["user_id"] for r in rows), group_id=event.group_id, moment=moment
    )
    now = timezone.now()
    share = late_cancel_share(past.outcomes, _hours(event.starts_at - now))
    door = late_cancel_share(past.outcomes, 0.0)
    return _Context(event, learn(past.outcomes), past, elsewhere, now, share, door)


def check_risk(risk: float) -> float:
    if not 0 < risk <= MAX_RISK:
        raise ValueError(_("The overflow risk must be more than 0 and at most 0.5."))
    return float(risk)


def show_probabilities(registrations: list[Registration]) -> dict[int, float]:
    """Registration id → P(comes), from history before its event (checked in: 1.0). For code
    only: no page shows one person's probability."""
    by_event: dict[int, list[int]] = defaultdict(list)
    for registration in registrations:
        by_event[registration.event_id].append(registration.pk)
    result: dict[int, float] = {}
    for event_id, ids in by_event.items():
        event = Event.objects.get(pk=event_id)
        rows = list(
            Registration.objects.filter(pk__in=ids)
            .annotate(
                checked_in=Exists(CheckIn.objects.filter(registration=OuterRef("pk"))),
                asked_at=asked_at(),
            )
            .values(
                "id",
                "user_id",
                "created_at",
                "checked_in",
                "reconfirmation__answer",
                "frame__requires_talk",
                "asked_at",
            )
        )
        context = _context(event, rows)
        for row in rows:
            result[row["id"]] = (
                1.0 if row["checked_in"] else context.probability(row, row["frame__requires_talk"])
            )
    return result


def _lottery_pending(frame: Frame, drawn: set[int]) -> bool:
    return frame.method == Method.LOTTERY and frame.pk not in drawn


def _forecast(
    frame: Frame,
    rows: Sequence[dict[str, Any]],
    context: _Context,
    *,
    risk: float,
    lottery_pending: bool,
) -> FrameForecast:
    talk = frame.requires_talk
    accepted = [r for r in rows if r["status"] == Status.ACCEPTED]
    waitlisted = [r for r in rows if r["status"] == Status.WAITLISTED]
    applied = [r for r in rows if r["status"] == Status.APPLIED]

    # Expected promotions: seats freed from now to the promotion cutoff by cancellations, at
    # the rate the group's history shows for that stretch, filled from the waitlist in order.
    cutoff = frame.promotion_cutoff or context.event.starts_at
    expected_promotions = 0.0
    if context.now < cutoff and waitlisted:
        unchecked = sum(1 for r in accepted if not r["checked_in"])
        rate = context.history.cancel_rate_between(
            _hours(context.event.starts_at - context.now), _hours(context.event.starts_at - cutoff)
        )
        expected_promotions = min(float(len(waitlisted)), rate * unchecked)
    capacity = frame.capacity
    lead = history.lead_days(context.event.starts_at, context.now)
    limit = frame.seat_limit  # a draw made now accepts up to this many (None: the capacity)

    # Each of the group's possible rates is a scenario; the forecast is their mixture.
    distributions, candidates = [], []
    now_share, door_share = context.late_share, context.door_share
    for model in context.scenarios():
        raw_accepted = [
            None if r["checked_in"] else context.unconditioned(r, talk, model) for r in accepted
        ]
        raw_waitlist = [context.unconditioned(r, talk, model) for r in waitlisted]
        raw_applied = [context.unconditioned(r, talk, model) for r in applied]
        if lottery_pending and raw_applied:
            # a random draw: each drawn seat is any applicant alike
            raw_applied = [sum(raw_applied) / len(raw_applied)] * len(raw_applied)
        p_accepted = [1.0 if p is None else still_holding(p, now_share) for p in raw_accepted]
        p_waitlist = [still_holding(p, now_share) for p in raw_waitlist]
        p_applied = [still_holding(p, now_share) for p in raw_applied]
        promoted = [
            p * min(1.0, max(0.0, expected_promotions - j)) for j, p in enumerate(p_waitlist)
        ]
        # before the draw: the forecast of the draw as it would be made now
        drawn = p_applied[: max(0, limit - len(accepted))] if lottery_pending else []
        distributions.append(pb.distribution(p_accepted + drawn + [p for p in promoted if p > 0]))
        # the planner's candidates as they would stand at the doors (see door_share)
        newcomer = still_holding(model.newcomer(Features(talk=talk, lead_days=lead)), door_share)
        known = [
            1.0 if p is None else still_holding(p, door_share)
            for p in raw_accepted + raw_waitlist + raw_applied
        ]
        future = [newcomer] * max(0, FUTURE_FACTOR * capacity + 10 - len(known))
        if context.now >= context.event.starts_at:
            future = []
        candidates.append(known + future)
    dist = pb.mixture(distributions)
    recommended = pb.recommended_accept_mixed(candidates, capacity, risk)
    drawn_count = max(0, limit - len(accepted)) if lottery_pending else 0
    drawn_count = min(drawn_count, len(applied))

    expected = pb.mean(dist)
    forecast = FrameForecast(
        expected_attendance=round(expected, 2),
        low=pb.quantile(dist, 0.05),
        high=pb.quantile(dist, 0.95),
        overflow_probability=round(pb.prob_above(dist, capacity), 4),
        recommended_accept=recommended,
        accepted=len(accepted),
        waitlisted=len(waitlisted),
        expected_promotions=round(expected_promotions, 2),
        based_on_history=context.model.based_on_history,
        explanation="",
        frame_id=frame.pk,
        capacity=capacity,
    )
    # "N expected of M": M counts the accepted and, before a draw, those it would accept now.
    return _explained(forecast, context.model, risk, counted=len(accepted) + drawn_count)


def _explained(
    forecast: FrameForecast, model: GroupModel, risk: float, *, counted: int
) -> FrameForecast:
    values = {
        "events": model.events,
        "rate": round(model.prior.mean * 100),
        "expected": _figure(forecast.expected_attendance),
        "accepted": counted,
        "recommended": forecast.recommended_accept,
        "capacity": forecast.capacity,
        "risk": round(risk * 100),
    }
    if model.based_on_history:
        text = (
            ngettext(
                "From %(events)d past event of this group about %(rate)d%% of accepted people "
                "come: %(expected)s of %(accepted)d expected; accepting up to %(recommended)d "
                "keeps the risk of more arrivals than %(capacity)d seats within %(risk)d%%.",
                "From %(events)d past events of this group about %(rate)d%% of accepted people "
                "come: %(expected)s of %(accepted)d expected; accepting up to %(recommended)d "
                "keeps the risk of more arrivals than %(capacity)d seats within %(risk)d%%.",
                model.events,
            )
            % values
        )
    else:
        text = (
            _(
                "No past events of this group yet: the forecast assumes the default show rate of "
                "%(rate)d%% (%(expected)s of %(accepted)d expected; accepting up to "
                "%(recommended)d keeps the risk of more arrivals than %(capacity)d seats within "
                "%(risk)d%%)."
            )
            % values
        )
    return FrameForecast(**{**forecast.__dict__, "explanation": text})


def _hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600.0


def _figure(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def _risk_of(frame: Frame, risk: float | None) -> float:
    if risk is None:
        risk = frame.overflow_risk
    return check_risk(risk)


def event_forecast(event: Event, *, risk: float | None = None) -> list[FrameForecast]:
    """One forecast per frame of the event, in the frames' order (a fixed number of queries
    whatever the number of people)."""
    frames = list(Frame.objects.filter(event=event))
    rows = history.current_registrations(event)
    context = _context(event, rows)
    drawn = set(
        LotteryDraw.objects.filter(frame__event=event, drawn_at__isnull=False).values_list(
            "frame_id", flat=True
        )
    )
    by_frame: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_frame[row["frame_id"]].append(row)
    return [
        _forecast(
            frame,
            by_frame[frame.pk],
            context,
            risk=_risk_of(frame, risk),
            lottery_pending=_lottery_pending(frame, drawn),
        )
        for frame in frames
    ]


def frame_forecast(frame: Frame, *, risk: float | None = None) -> FrameForecast:
    """The forecast of one frame (its event is read with it)."""
    event = frame.event
    rows = history.current_registrations(event, frame_id=frame.pk)
    context = _context(event, rows)
    drawn = set(
        LotteryDraw.objects.filter(frame=frame, drawn_at__isnull=False).values_list(
            "frame_id", flat=True
        )
    )
    return _forecast(
        frame,
        rows,
        context,
        risk=_risk_of(frame, risk),
        lottery_pending=_lottery_pending(frame, drawn),
    )


def group_forecast_history(group: Group, *, last: int = HISTORY_EVENTS) -> list[EventResult]:
    """Forecast vs actual for the group's last `last` held events, oldest first
    (`backtest.EventResult`: each predicted from the history before it; cached)."""
    return forecast_history(group, last=last)
