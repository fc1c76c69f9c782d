"""The show-up model: the probability that an accepted person comes (docs/full-rooms.md).

Pure functions over history that `history.py` reads from the database:

1. The group's base rate as a prior: Beta(α, β) fitted to its people's records by the method
   of moments (shrunk toward a default when the group has little history).
2. The person's posterior mean: the prior updated with their record in this group and, at a
   discount, their aggregate record in other groups.
3. A logistic adjustment of that mean for the frame (speakers), the lead time, the
   reconfirmation answer and the silence of those asked who did not answer, with coefficients
   fitted (MAP, Gaussian priors) on the group's history.
4. Close to the start, the condition that the person still holds the seat: the late
   cancellers of the history who had cancelled by then are not among them
   (`late_cancel_share`, `still_holding`).
5. The uncertainty of the group's own rate (`GroupModel.rate_points`): a group with little
   history could turn out to come more or less than its estimate, and every person's
   probability moves with it; forecasts average over these points.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from kaisai.forecast import uncertainty

# Before any history: attendance at free study groups is reported between 30% and 70%.
DEFAULT_MEAN = 0.5
DEFAULT_STRENGTH = 4.0  # α + β of the default prior: worth four visits
MEAN_SHRINK = 4.0  # pseudo-visits pulling a thin group's rate toward DEFAULT_MEAN
DEFAULT_RHO = 1.0 / (DEFAULT_STRENGTH + 1.0)  # overdispersion 1 / (α + β + 1)
RHO_EVIDENCE = 20.0  # repeat visits needed before the group's own spread counts half
RHO_MIN, RHO_MAX = 0.005, 0.5
SITE_WEIGHT = 0.3  # one visit elsewhere counts as 0.3 visits here
P_MIN, P_MAX = 0.005, 0.995
LEAD_CENTER_DAYS = 7.0
SILENCE_HOURS = 12.0  # a "still coming?" unanswered this long after the question says all it will
RATE_POINTS = 9  # points of the group rate's uncertainty the forecasts average over
HOLDING_SHRINK = 2.0  # pseudo non-comers pulling the late cancels' share toward 0


def logit(p: float) -> float:
    p = min(max(p, P_MIN), P_MAX)
    return math.log(p / (1.0 - p))


def expit(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


@dataclass(frozen=True)
class Record:
    """A person's history: `came` of `trials` (attended + no-shows + late cancels)."""

    came: int = 0
    trials: int = 0

    def __add__(self, other: Record) -> Record:
        return Record(self.came + other.came, self.trials + other.trials)


@dataclass(frozen=True)
class Prior:
    alpha: float
    beta: float

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)


DEFAULT_PRIOR = Prior(DEFAULT_MEAN * DEFAULT_STRENGTH, (1 - DEFAULT_MEAN) * DEFAULT_STRENGTH)


def fit_prior(records: Iterable[Record]) -> Prior:
    """Beta(α, β) of a group by the method of moments on its people's records.

    μ = (Σ came + m₀ μ₀) / (Σ trials + m₀); the overdispersion ρ = 1 / (α + β + 1) from
    Σ nᵢ (p̂ᵢ − μ)² ≈ μ(1 − μ) [(k − 1) + ρ (N − k)], blended with a default ρ₀ by the number
    of repeat visits N − k; then α + β = 1/ρ − 1.
    """
    people = [r for r in records if r.trials > 0]
    came = sum(r.came for r in people)
    trials = sum(r.trials for r in people)
    mu = (came + MEAN_SHRINK * DEFAULT_MEAN) / (trials + MEAN_SHRINK)
    k = len(people)
    repeats = trials - k
    rho = DEFAULT_RHO
    if k >= 2 and repeats > 0:
        spread = sum(r.trials * (r.came / r.trials - mu) ** 2 for r in people)
        estimate = (spread / (mu * (1 - mu)) - (k - 1)) / repeats
        weight = repeats / (repeats + RHO_EVIDENCE)
        rho = weight * estimate + (1 - weight) * DEFAULT_RHO
    rho = min(max(rho, RHO_MIN), RHO_MAX)
    strength = 1.0 / rho - 1.0
    return Prior(mu * strength, (1 - mu) * strength)


def posterior_mean(prior: Prior, here: Record, elsewhere: Record = Record()) -> float:
    """E[p | record] = (α + cameᵍ + w cameˢ) / (α + β + nᵍ + w nˢ)."""
    a = prior.alpha + here.came + SITE_WEIGHT * elsewhere.came
    b = prior.alpha + prior.beta + here.trials + SITE_WEIGHT * elsewhere.trials
    return a / b


@dataclass(frozen=True)
class Features:
    talk: bool = False  # a speakers' frame
    lead_days: float = LEAD_CENTER_DAYS  # registered this long before the start
    reconfirmation: str = ""  # "yes", "no" or "" (not answered)
    silence: float = 0.0  # asked "still coming?" without an answer: 0 … 1 (SILENCE_HOURS on)

    def vector(self) -> tuple[float, float, float, float, float]:
        lead = math.log1p(max(self.lead_days, 0.0)) - math.log1p(LEAD_CENTER_DAYS)
        return (
            1.0 if self.talk else 0.0,
            lead,
            1.0 if self.reconfirmation == "yes" else 0.0,
            1.0 if self.reconfirmation == "no" else 0.0,
            0.0 if self.reconfirmation else min(max(self.silence, 0.0), 1.0),
        )


def silence(asked_at: datetime | None, moment: datetime) -> float:
    """How much an unanswered "still coming?" says at `moment`: nothing right after it was
    asked, all after SILENCE_HOURS (most answers come within hours)."""
    if asked_at is None or moment <= asked_at:
        return 0.0
    return min((moment - asked_at).total_seconds() / 3600.0 / SILENCE_HOURS, 1.0)


# Coefficients (talk, lead, yes, no, silence) before any data, and their prior standard
# deviations.
PRIOR_COEFFICIENTS = (1.5, -0.1, 0.8, -2.5, -0.5)
PRIOR_SD = (1.0, 0.5, 2.0, 2.0, 2.0)


def adjust(base: float, features: Features, coefficients: Sequence[float]) -> float:
    """P = expit(logit(base) + Σ βⱼ xⱼ)."""
    x = features.vector()
    eta = logit(base) + sum(b * v for b, v in zip(coefficients, x, strict=True))
    return min(max(expit(eta), P_MIN), P_MAX)


def fit_coefficients(
    rows: Sequence[tuple[float, Features, bool]],
    prior: Sequence[float] = PRIOR_COEFFICIENTS,
    sd: Sequence[float] = PRIOR_SD,
    iterations: int = 25,
    start: Sequence[float] | None = None,
) -> tuple[float, ...]:
    """MAP logistic regression with offsets: rows (base probability, features, came). Newton's
    method on the log posterior with independent Gaussian priors, from `start` (default: the
    prior means); with no rows, the prior."""
    beta = list(start if start is not None else prior)
    size = len(beta)
    data = []
    for base, features, came in rows:
        x = features.vector()
        data.append((logit(base), 1.0 if came else 0.0, [(i, v) for i, v in enumerate(x) if v]))
    for _ in range(iterations):
        gradient = [-(beta[j] - prior[j]) / sd[j] ** 2 for j in range(size)]
        hessian = [[0.0] * size for _ in range(size)]
        for i in range(size):
            hessian[i][i] = 1.0 / sd[i] ** 2
        for offset, y, nonzero in data:
            eta = offset
            for i, v in nonzero:
                eta += beta[i] * v
            p = expit(eta)
            residual = y - p
            weight = p * (1 - p)
            for i, vi in nonzero:
                gradient[i] += residual * vi
                row = hessian[i]
                for j, vj in nonzero:
                    row[j] += weight * vi * vj
        step = _solve(hessian, gradient)
        beta = [b + s for b, s in zip(beta, step, strict=True)]
        if max(abs(s) for s in step) < 1e-5:
            break
    return tuple(beta)


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (the matrix is positive definite)."""
    n = len(vector)
    a = [row[:] + [vector[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(col + 1, n):
            factor = a[r][col] / a[col][col]
            for c in range(col, n + 1):
                a[r][c] -= factor * a[col][c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (a[r][n] - sum(a[r][c] * x[c] for c in range(r + 1, n))) / a[r][r]
    return x


@dataclass(frozen=True)
class Outcome:
    """One accepted registration of a held event and what happened (history.py reads them)."""

    user_id: int
    event_id: int
    group_id: int
    starts_at: datetime
    ends_at: datetime
    features: Features
    came: bool
    # a late cancel: how many hours before the start it was cancelled (negative: after it)
    cancelled_hours_before: float | None = None


def late_cancel_share(outcomes: Iterable[Outcome], hours_before: float) -> float:
    """Of the record's people who did not come, the share who had already cancelled more than
    `hours_before` the start (late cancels, within 24 h of it), shrunk toward 0 by
    HOLDING_SHRINK: someone still holding a seat at that moment is not one of them."""
    missed = late = 0
    for outcome in outcomes:
        if outcome.came:
            continue
        missed += 1
        lead = outcome.cancelled_hours_before
        if lead is not None and lead > hours_before:
            late += 1
    return late / (missed + HOLDING_SHRINK)


def still_holding(p: float, share: float) -> float:
    """P(comes | still holding the seat) by Bayes: who comes never cancels; who does not had
    cancelled by now with probability `share` (`late_cancel_share`).
    p / (p + (1 − p)(1 − share))."""
    if share <= 0.0:
        return p
    return p / (p + (1.0 - p) * (1.0 - share))


@dataclass(frozen=True)
class GroupModel:
    """What the model learned from a group's history before some moment."""

    prior: Prior
    coefficients: tuple[float, ...]
    records: dict[int, Record] = field(default_factory=dict)
    events: int = 0  # held events it learned from
    trials: int = 0  # outcomes it learned from
    people: int = 0  # … of this many people

    @property
    def based_on_history(self) -> bool:
        return self.events > 0

    def rate_points(self, points: int = RATE_POINTS) -> list[float]:
        """The group's possible rates, equally likely (uncertainty.py)."""
        strength = self.prior.alpha + self.prior.beta
        size = uncertainty.effective_size(
            self.trials, self.people, 1.0 / (strength + 1.0), MEAN_SHRINK
        )
        return uncertainty.rate_points(self.prior.mean, size, points)

    def at_rate(self, rate: float) -> GroupModel:
        """The same model had the group's rate turned out `rate` (its spread kept)."""
        strength = self.prior.alpha + self.prior.beta
        prior = Prior(rate * strength, (1.0 - rate) * strength)
        return replace(self, prior=prior)

    def probability(
        self, user_id: int | None, features: Features, elsewhere: Record = Record()
    ) -> float:
        here = self.records.get(user_id, Record()) if user_id is not None else Record()
        return adjust(posterior_mean(self.prior, here, elsewhere), features, self.coefficients)

    def newcomer(self, features: Features = Features()) -> float:
        return self.probability(None, features)


def learn(outcomes: Sequence[Outcome], start: Sequence[float] | None = None) -> GroupModel:
    """The group's model from its outcomes (any order). The coefficients are fitted with each
    training row's base probability taken from the person's record before that row's event
    (Newton's method from `start`: a backtest passes the previous event's coefficients)."""
    ordered = sorted(outcomes, key=lambda o: (o.starts_at, o.event_id))
    records: dict[int, Record] = defaultdict(Record)
    for outcome in ordered:
        records[outcome.user_id] += Record(int(outcome.came), 1)
    prior = fit_prior(records.values())
    running: dict[int, Record] = defaultdict(Record)
    rows: list[tuple[float, Features, bool]] = []
    index = 0
    while index < len(ordered):
        event_id = ordered[index].event_id
        batch = []
        while index < len(ordered) and ordered[index].event_id == event_id:
            batch.append(ordered[index])
            index += 1
        for outcome in batch:
            base = posterior_mean(prior, running[outcome.user_id])
            rows.append((base, outcome.features, outcome.came))
        for outcome in batch:
            running[outcome.user_id] += Record(int(outcome.came), 1)
    coefficients = fit_coefficients(rows, start=start)
    return GroupModel(
        prior=prior,
        coefficients=coefficients,
        records=dict(records),
        events=len({o.event_id for o in ordered}),
        trials=len(ordered),
        people=len(records),
    )


def before(outcomes: Iterable[Outcome], moment: datetime) -> list[Outcome]:
    """Only history of events that had ended by `moment` (no leakage)."""
    return [o for o in outcomes if o.ends_at <= moment]
