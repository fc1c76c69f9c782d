"""The show-up model as pure functions: it recovers known show rates as history grows, and
beats the base rate on held-back synthetic history."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kaisai.forecast import backtest
from kaisai.forecast.model import (
    DEFAULT_PRIOR,
    SILENCE_HOURS,
    Features,
    Outcome,
    Record,
    fit_prior,
    learn,
    posterior_mean,
    silence,
)

START = datetime(2024, 1, 1, 19, tzinfo=UTC)


def synthetic(rates, *, events, per_event, seed, talk_share=0.0, reconfirm_share=0.0):
    """Outcomes of `events` events; each person comes with their rate (speakers always; those
    who answered the reconfirmation "no" never, "yes" a little more often)."""
    rng = random.Random(seed)
    users = list(range(len(rates)))
    outcomes = []
    for k in range(events):
        start = START + timedelta(days=30 * k)
        for user in rng.sample(users, min(per_event, len(users))):
            talk = rng.random() < talk_share
            answer = ""
            if rng.random() < reconfirm_share:
                answer = "yes" if rng.random() < rates[user] else "no"
            came = talk or (answer != "no" and rng.random() < min(1.0, rates[user] * 1.1))
            if answer == "no":
                came = False
            features = Features(talk=talk, lead_days=rng.uniform(0, 30), reconfirmation=answer)
            outcomes.append(Outcome(user, k, 1, start, start + timedelta(hours=2), features, came))
    return outcomes


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=10_000),
    shape=st.sampled_from(["uniform", "two_kinds", "u_shape"]),
)
def test_recovers_known_show_rates_as_history_grows(seed, shape):
    rng = random.Random(seed)
    draw = {
        "uniform": lambda: rng.uniform(0.05, 0.95),
        "two_kinds": lambda: rng.choice([0.15, 0.85]),
        "u_shape": lambda: rng.betavariate(0.5, 0.5),
    }[shape]
    rates = [draw() for _ in range(40)]
    errors = []
    for events in (4, 16, 60):
        outcomes = synthetic(rates, events=events, per_event=40, seed=seed)
        model = learn(outcomes)
        estimates = [model.probability(u, Features()) for u in range(len(rates))]
        errors.append(sum(abs(e - r) for e, r in zip(estimates, rates, strict=True)) / len(rates))
    assert errors[2] < errors[0]
    assert errors[2] < 0.09  # sixty visits each: about the binomial noise


def test_newcomer_gets_the_group_rate_and_a_regular_theirs():
    prior = fit_prior([Record(3, 10)] * 20 + [Record(9, 10)] * 20)
    assert abs(prior.mean - 0.6) < 0.01
    assert abs(posterior_mean(prior, Record()) - prior.mean) < 1e-9
    assert posterior_mean(prior, Record(10, 10)) > 0.8
    assert posterior_mean(prior, Record(0, 10)) < 0.35
    # elsewhere counts, at a discount
    assert posterior_mean(prior, Record(), Record(10, 10)) > prior.mean
    assert posterior_mean(prior, Record(), Record(10, 10)) < posterior_mean(prior, Record(10, 10))


def test_no_history_is_the_default_prior():
    assert fit_prior([]) == DEFAULT_PRIOR
    model = learn([])
    assert not model.based_on_history
    assert abs(model.newcomer() - DEFAULT_PRIOR.mean) < 1e-9


def test_a_homogeneous_group_shrinks_strongly():
    homogeneous = fit_prior([Record(5, 10)] * 50)
    spread = fit_prior([Record(1, 10)] * 25 + [Record(9, 10)] * 25)
    assert homogeneous.alpha + homogeneous.beta > 5 * (spread.alpha + spread.beta)


def test_speakers_and_reconfirmation_are_learned():
    rates = [random.Random(i).uniform(0.2, 0.8) for i in range(60)]
    model = learn(
        synthetic(rates, events=20, per_event=50, seed=3, talk_share=0.1, reconfirm_share=0.5)
    )
    talk, lead, yes, no, _silence = model.coefficients
    assert talk > 1.0 and no < -2.0 and yes > 0.0
    base = model.probability(0, Features())
    assert model.probability(0, Features(talk=True)) > base
    assert model.probability(0, Features(reconfirmation="no")) < base / 3


def test_calibrated_on_held_back_history_and_better_than_the_base_rate():
    rng = random.Random(11)
    rates = [rng.betavariate(1.2, 1.0) for _ in range(80)]
    outcomes = synthetic(
        rates, events=24, per_event=50, seed=5, talk_share=0.05, reconfirm_share=0.3
    )
    result = backtest.run(outcomes)
    held_back = result.predictions[len(result.predictions) // 2 :]  # the later half, predicted
    model_brier = backtest._brier([(p, c) for p, _, c in held_back])
    base_brier = backtest._brier([(b, c) for _, b, c in held_back])
    assert model_brier < base_brier - 0.02
    for b in backtest.reliability([(p, c) for p, _, c in held_back]):
        if b.count >= 30:  # within three standard errors (and a little model error)
            tolerance = 3 * (b.predicted * (1 - b.predicted) / b.count) ** 0.5 + 0.03
            assert abs(b.predicted - b.observed) < tolerance, b
    assert len(result.events) == 24
    assert result.events[0].base_expected == 50 * DEFAULT_PRIOR.mean  # the first: the prior


def test_silence_after_the_question_is_learned_and_grows_with_time():
    """Asked "still coming?": who comes mostly answers yes, who does not mostly says nothing;
    the model learns that silence lowers the odds, and silence counts fully only after
    SILENCE_HOURS."""
    rng = random.Random(7)
    rates = [rng.uniform(0.2, 0.8) for _ in range(60)]
    outcomes = []
    for k in range(16):
        start = START + timedelta(days=30 * k)
        for user in rng.sample(range(60), 40):
            came = rng.random() < rates[user]
            answered = rng.random() < (0.75 if came else 0.1)
            features = Features(
                lead_days=7,
                reconfirmation="yes" if answered else "",
                silence=0.0 if answered else 1.0,
            )
            outcomes.append(Outcome(user, k, 1, start, start + timedelta(hours=2), features, came))
    model = learn(outcomes)
    *_, silence_coefficient = model.coefficients
    assert silence_coefficient < -1.0
    quiet = model.probability(0, Features(silence=1.0))
    assert (
        quiet
        < model.probability(0, Features())
        < model.probability(0, Features(reconfirmation="yes"))
    )
    asked = START - timedelta(hours=48)
    assert silence(asked, asked + timedelta(hours=1)) < 0.1
    assert silence(asked, asked + timedelta(hours=SILENCE_HOURS + 1)) == 1.0
    assert silence(None, asked) == 0.0
