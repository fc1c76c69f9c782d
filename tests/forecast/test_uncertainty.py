"""The group rate's uncertainty: equal-mass points of its Beta, and what the mixture does to
the recommended number to accept."""

from __future__ import annotations

import pytest

from kaisai.forecast import poisson_binomial as pb
from kaisai.forecast import uncertainty
from kaisai.forecast.history import History
from kaisai.forecast.model import DEFAULT_PRIOR, GroupModel, Prior


def test_points_centre_on_the_mean_and_narrow_with_history():
    wide = uncertainty.rate_points(0.6, 4, 9)
    narrow = uncertainty.rate_points(0.6, 400, 9)
    assert len(wide) == len(narrow) == 9
    assert wide == sorted(wide) and narrow == sorted(narrow)
    assert sum(narrow) / 9 == pytest.approx(0.6, abs=0.005)
    assert wide[-1] - wide[0] > 0.5  # no history: anywhere from ~20% to ~90%
    assert narrow[-1] - narrow[0] < 0.1
    assert uncertainty.rate_points(0.6, 10_000, 9) == [0.6]


def test_effective_size_discounts_repeat_visits_of_the_same_people():
    once_each = uncertainty.effective_size(trials=100, people=100, rho=0.2, shrink=4)
    ten_each = uncertainty.effective_size(trials=100, people=10, rho=0.2, shrink=4)
    assert once_each == pytest.approx(104)
    assert ten_each < once_each / 2
    assert uncertainty.effective_size(trials=0, people=0, rho=0.2, shrink=4) == 4


def test_mixture_with_identical_scenarios_is_the_single_forecast():
    ps = [0.6] * 60
    assert pb.recommended_accept_mixed([ps, ps, ps], 30, 0.05) == pb.recommended_accept(
        ps, 30, 0.05
    )
    dist = pb.distribution(ps)
    assert pb.mixture([dist, dist]) == pytest.approx(dist)


def test_an_uncertain_rate_accepts_fewer_but_never_below_the_seats():
    model = GroupModel(prior=Prior(6, 4), coefficients=(0, 0, 0, 0, 0))  # no history
    sure = GroupModel(
        prior=Prior(6, 4), coefficients=(0, 0, 0, 0, 0), events=40, trials=4000, people=200
    )

    def candidates(m: GroupModel) -> list[list[float]]:
        return [[m.at_rate(r).newcomer()] * 200 for r in m.rate_points()]

    unsure_n = pb.recommended_accept_mixed(candidates(model), 30, 0.05)
    sure_n = pb.recommended_accept_mixed(candidates(sure), 30, 0.05)
    assert 30 <= unsure_n < sure_n
    assert sure_n == pytest.approx(pb.recommended_accept([0.6] * 200, 30, 0.05), abs=2)
    assert DEFAULT_PRIOR.mean == 0.5


def test_cancel_rate_between_counts_only_the_time_that_is_left():
    # 100 accepted; cancelled 200 h, 100 h, 50 h, 30 h and 5 h before the start
    history = History([], accepted_ever=100, cancel_leads=(200.0, 100.0, 50.0, 30.0, 5.0))
    assert history.cancel_rate == pytest.approx(0.05)
    assert history.cancel_rate_between(240, 0) == pytest.approx(5 / 100)
    assert history.cancel_rate_between(60, 0) == pytest.approx(3 / 98)  # 2 left before
    assert history.cancel_rate_between(60, 24) == pytest.approx(2 / 98)  # cutoff 24 h before
    assert history.cancel_rate_between(0.2, 0) == 0.0
    assert History([]).cancel_rate_between(10, 0) == 0.0
