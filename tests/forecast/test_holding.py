"""Who still holds a seat close to the start is not one of the late cancellers: the forecast
conditions P(comes) on it (model.late_cancel_share, model.still_holding)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kaisai.forecast.model import (
    Features,
    Outcome,
    late_cancel_share,
    learn,
    still_holding,
)

START = datetime(2024, 1, 1, 19, tzinfo=UTC)


def _series(rates, *, events, per_event, cancel_share, seed):
    """Outcomes of held events: who does not come cancels late (within 24 h, uniformly) with
    probability `cancel_share`; everyone else comes or not with their rate."""
    rng = random.Random(seed)
    users = list(range(len(rates)))
    outcomes = []
    for k in range(events):
        start = START + timedelta(days=14 * k)
        for user in rng.sample(users, per_event):
            came = rng.random() < rates[user]
            lead = None
            if not came and rng.random() < cancel_share:
                lead = rng.uniform(0.0, 24.0)
            outcomes.append(
                Outcome(user, k, 1, start, start + timedelta(hours=2), Features(), came, lead)
            )
    return outcomes


def test_late_cancel_share_counts_only_cancels_before_the_moment():
    def outcome(came, lead=None):
        return Outcome(1, 1, 1, START, START, Features(), came, lead)

    outcomes = [outcome(True), outcome(False), outcome(False, 20.0), outcome(False, 2.0)]
    outcomes += [outcome(False, -1.0)]  # cancelled after the start
    # four did not come (+ 2 pseudo): two had cancelled 1 h before, one 10 h before
    assert late_cancel_share(outcomes, 1.0) == 2 / 6
    assert late_cancel_share(outcomes, 10.0) == 1 / 6
    assert late_cancel_share(outcomes, 24.0) == 0.0
    assert late_cancel_share([], 0.1) == 0.0


@settings(max_examples=30, deadline=None)
@given(
    p=st.floats(min_value=0.01, max_value=0.99),
    share=st.floats(min_value=0.0, max_value=0.9),
)
def test_still_holding_raises_the_probability_by_bayes(p, share):
    held = still_holding(p, share)
    assert p - 1e-12 <= held <= 1.0
    # P(comes and holds) / P(holds): who comes always holds
    assert abs(held - p / (p + (1 - p) * (1 - share))) < 1e-12
    assert still_holding(p, 0.0) == p


def test_those_still_holding_at_the_door_are_forecast_as_they_come():
    """Held-back events: for the people still holding their seat ten minutes before the start,
    the model's expected number who come matches their true chance given that they held on,
    and falls clearly short without conditioning on it (the door forecast's old bias)."""
    rng = random.Random(5)
    rates = [rng.betavariate(4, 2) for _ in range(150)]
    outcomes = _series(rates, events=40, per_event=40, cancel_share=0.5, seed=5)
    model = learn([o for o in outcomes if o.event_id < 30])
    door = 10 / 60
    share = late_cancel_share([o for o in outcomes if o.event_id < 30], door)
    holding = [
        o for o in outcomes if o.event_id >= 30 and (o.cancelled_hours_before or 0.0) <= door
    ]
    cancelled_by_now = 0.5 * (24 - door) / 24  # of those who do not come, in the generator

    def true_chance(rate):
        return rate / (rate + (1 - rate) * (1 - cancelled_by_now))

    truth = sum(true_chance(rates[o.user_id]) for o in holding)
    plain = sum(model.probability(o.user_id, o.features) for o in holding)
    held = sum(still_holding(model.probability(o.user_id, o.features), share) for o in holding)
    assert truth - plain > 2.0 * 10  # unconditioned: more than two people short per event
    assert abs(held - truth) < 0.25 * (truth - plain)
