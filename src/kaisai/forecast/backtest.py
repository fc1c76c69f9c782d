"""The backtest: for every held event in order, predict each accepted person's probability from
the history before it and compare with what happened (docs/full-rooms.md). Brier score of the
model and of the group's base rate alone, and a reliability table by predicted decile."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.core.cache import cache
from django.utils import timezone

from kaisai.events.models import Event
from kaisai.forecast import history
from kaisai.forecast import poisson_binomial as pb
from kaisai.forecast.model import Outcome, Record, learn
from kaisai.groups.models import Group

HISTORY_EVENTS = 20  # events in the organizers' chart
CACHE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class EventResult:
    """One held event: the forecast from history before it against what happened."""

    event_id: int
    title: str
    starts_at: datetime
    accepted: int  # accepted at the end, plus late cancels
    expected: float
    low: int
    high: int
    actual: int
    base_expected: float  # the group's base rate alone


@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    count: int
    predicted: float  # mean predicted probability
    observed: float  # share who came


@dataclass(frozen=True)
class Backtest:
    events: list[EventResult] = field(default_factory=list)
    predictions: list[tuple[float, float, bool]] = field(default_factory=list)  # model, base, came

    @property
    def count(self) -> int:
        return len(self.predictions)

    @property
    def brier_model(self) -> float:
        return _brier([(p, came) for p, _, came in self.predictions])

    @property
    def brier_base(self) -> float:
        return _brier([(b, came) for _, b, came in self.predictions])

    @property
    def reliability(self) -> list[Bin]:
        return reliability([(p, came) for p, _, came in self.predictions])

    def as_data(self) -> dict:
        return {
            "predictions": self.count,
            "events": len(self.events),
            "brier_model": round(self.brier_model, 4),
            "brier_base_rate": round(self.brier_base, 4),
            "reliability": [bin.__dict__ for bin in self.reliability],
        }

    def lines(self) -> list[str]:
        out = [
            f"predictions: {self.count} in {len(self.events)} events",
            f"Brier score: model {self.brier_model:.4f}, group base rate {self.brier_base:.4f}",
            "predicted     n  mean predicted  observed",
        ]
        for b in self.reliability:
            out.append(
                f"{b.low:.1f}-{b.high:.1f}  {b.count:5d}  {b.predicted:14.3f}  {b.observed:8.3f}"
            )
        return out


def _brier(pairs: Sequence[tuple[float, bool]]) -> float:
    if not pairs:
        return 0.0
    return sum((p - (1.0 if came else 0.0)) ** 2 for p, came in pairs) / len(pairs)


def reliability(pairs: Sequence[tuple[float, bool]]) -> list[Bin]:
    """Predicted vs observed per decile of the predicted probability (empty deciles left out)."""
    bins: dict[int, list[tuple[float, bool]]] = defaultdict(list)
    for p, came in pairs:
        bins[min(int(p * 10), 9)].append((p, came))
    return [
        Bin(
            low=k / 10,
            high=(k + 1) / 10,
            count=len(bins[k]),
            predicted=round(sum(p for p, _ in bins[k]) / len(bins[k]), 4),
            observed=round(sum(1 for _, c in bins[k] if c) / len(bins[k]), 4),
        )
        for k in sorted(bins)
    ]


def run(
    outcomes: Sequence[Outcome],
    *,
    group_id: int | None = None,
    titles: dict[int, str] | None = None,
    last: int | None = None,
) -> Backtest:
    """Pure: every event of `group_id` (all when None) in order — or the `last` ones — each
    predicted from the outcomes of events that ended by its start: its group's for the model,
    the other groups' in aggregate for the person's record elsewhere."""
    by_event: dict[int, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        if group_id is None or outcome.group_id == group_id:
            by_event[outcome.event_id].append(outcome)
    order = sorted(by_event, key=lambda e: (by_event[e][0].starts_at, e))
    if last is not None:
        order = order[-last:] if last > 0 else []
    result = Backtest()
    previous: dict[int, tuple[float, ...]] = {}  # the last coefficients per group: warm start
    for event_id in order:
        rows = by_event[event_id]
        start, group = rows[0].starts_at, rows[0].group_id
        past = [o for o in outcomes if o.ends_at <= start]
        model = learn([o for o in past if o.group_id == group], start=previous.get(group))
        previous[group] = model.coefficients
        users = {o.user_id for o in rows}
        elsewhere: dict[int, Record] = defaultdict(Record)
        for o in past:
            if o.group_id != group and o.user_id in users:
                elsewhere[o.user_id] += Record(int(o.came), 1)
        ps = [model.probability(o.user_id, o.features, elsewhere[o.user_id]) for o in rows]
        base = model.prior.mean
        result.predictions.extend((p, base, o.came) for p, o in zip(ps, rows, strict=True))
        # the interval also admits that the group's rate is itself uncertain (uncertainty.py)
        dist = pb.mixture(
            [
                pb.distribution(
                    scenario.probability(o.user_id, o.features, elsewhere[o.user_id]) for o in rows
                )
                for scenario in (model.at_rate(rate) for rate in model.rate_points())
            ]
        )
        result.events.append(
            EventResult(
                event_id=event_id,
                title=(titles or {}).get(event_id, ""),
                starts_at=start,
                accepted=len(rows),
                expected=round(pb.mean(dist), 2),
                low=pb.quantile(dist, 0.05),
                high=pb.quantile(dist, 0.95),
                actual=sum(1 for o in rows if o.came),
                base_expected=round(base * len(rows), 2),
            )
        )
    return result


def backtest_group(group: Group | None = None, *, last: int | None = None) -> Backtest:
    """The backtest of one group's held events (all groups' when None): two queries."""
    group_id = group.pk if group else None
    outcomes = history.group_history(group_id, timezone.now(), with_people=True).outcomes
    event_ids = {o.event_id for o in outcomes}
    titles = dict(Event.objects.filter(pk__in=event_ids).values_list("id", "title"))
    return run(outcomes, group_id=group_id, titles=titles, last=last)


def forecast_history(group: Group, *, last: int = HISTORY_EVENTS) -> list[EventResult]:
    """Forecast vs actual for the group's last held events (the organizers' chart). The run
    costs about a tenth of a second per event for a group of 10,000 past registrations, so its
    result is cached under a key made of the history it was computed from (a new check-in,
    cancel, event or title changes the key; two queries when cached)."""
    outcomes = history.group_history(group.pk, timezone.now(), with_people=True).outcomes
    event_ids = {o.event_id for o in outcomes if o.group_id == group.pk}
    titles = dict(Event.objects.filter(pk__in=event_ids).values_list("id", "title"))
    facts = [(o.event_id, o.user_id, o.came, o.features) for o in outcomes]
    digest = hashlib.sha256(repr((facts, sorted(titles.items()))).encode()).hexdigest()[:32]
    key = f"forecast:history:{group.pk}:{last}:{digest}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    events = run(outcomes, group_id=group.pk, titles=titles, last=last).events
    cache.set(key, events, CACHE_SECONDS)
    return events
