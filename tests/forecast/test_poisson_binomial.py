from __future__ import annotations

import math
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from kaisai.forecast import poisson_binomial as pb

probabilities = st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=0, max_size=60)


@given(probabilities)
def test_distribution_sums_to_one_and_has_the_mean(ps):
    dist = pb.distribution(ps)
    assert len(dist) == len(ps) + 1
    assert math.isclose(sum(dist), 1.0, abs_tol=1e-9)
    assert math.isclose(pb.mean(dist), sum(ps), abs_tol=1e-7)


@given(st.integers(min_value=0, max_value=80), st.floats(min_value=0.0, max_value=1.0))
def test_equal_probabilities_give_the_binomial(n, p):
    dist = pb.distribution([p] * n)
    for k in range(n + 1):
        assert math.isclose(dist[k], math.comb(n, k) * p**k * (1 - p) ** (n - k), abs_tol=1e-9)


def test_against_monte_carlo():
    rng = random.Random(7)
    ps = [rng.uniform(0.05, 0.95) for _ in range(120)]
    dist = pb.distribution(ps)
    runs = 20000
    counts = [0] * (len(ps) + 1)
    for _ in range(runs):
        counts[sum(1 for p in ps if rng.random() < p)] += 1
    for k, mass in enumerate(dist):
        # within 5 standard errors of the simulated frequency
        assert abs(counts[k] / runs - mass) <= 5 * math.sqrt(mass * (1 - mass) / runs) + 1e-3
    capacity = 60
    simulated = sum(counts[capacity + 1 :]) / runs
    assert abs(simulated - pb.prob_above(dist, capacity)) < 0.015


def test_quantiles():
    dist = pb.distribution([0.5] * 100)
    assert pb.quantile(dist, 0.05) == 42
    assert pb.quantile(dist, 0.5) == 50
    assert pb.quantile(dist, 0.95) == 58


@settings(max_examples=60)
@given(
    st.lists(st.floats(min_value=0.01, max_value=1.0), min_size=0, max_size=80),
    st.integers(min_value=0, max_value=40),
    st.floats(min_value=0.001, max_value=0.5),
    st.floats(min_value=0.001, max_value=0.5),
)
def test_recommended_accept_never_below_capacity_and_monotone_in_risk(ps, capacity, r1, r2):
    low, high = sorted((r1, r2))
    at_low = pb.recommended_accept(ps, capacity, low)
    at_high = pb.recommended_accept(ps, capacity, high)
    assert at_low >= capacity
    assert at_high >= at_low
    n = at_high
    if n > capacity:  # the recommendation keeps the risk
        assert pb.prob_above(pb.distribution(ps[:n]), capacity) <= high + 1e-12
    if n < len(ps):  # and one more would break it
        assert pb.prob_above(pb.distribution(ps[: n + 1]), capacity) > high


def test_recommended_accept_examples():
    assert pb.recommended_accept([1.0] * 50, 20, 0.05) == 20
    assert pb.recommended_accept([0.5] * 400, 100, 0.05) > 170
    assert pb.recommended_accept([], 10, 0.05) == 10
