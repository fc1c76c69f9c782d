"""How sure the model is of a group's own show rate (docs/full-rooms.md, "The group's rate is
itself uncertain").

A person's probability leans on the group's rate through the prior. With little history that
rate is known roughly: a first event of a new group could turn out 40% or 80%. Every person
moves with it, so the arrivals are not independent once that is admitted: the number who
come is a mixture, over the group's possible rates, of Poisson-binomial distributions.

The rate's uncertainty is Beta(μ̂ n, (1 − μ̂) n) with n the history's effective size: its
trials divided by the design effect 1 + ρ (m̄ − 1) (ρ the group's overdispersion, m̄ the
trials per person: one person's many visits tell less about the group than as many people's
one visit each), plus the pseudo-trials the estimate is shrunk with. The mixture is taken
at `points` equal-mass points of that Beta (their mid-quantiles).
"""

from __future__ import annotations

import math
from functools import lru_cache

GRID = 512


def effective_size(trials: int, people: int, rho: float, shrink: float) -> float:
    """Trials worth of independent evidence on the group's rate (plus the shrink)."""
    if trials <= 0 or people <= 0:
        return shrink
    per_person = trials / people
    return trials / (1.0 + rho * max(per_person - 1.0, 0.0)) + shrink


def rate_points(mean: float, size: float, points: int) -> list[float]:
    """`points` equal-mass points of Beta(mean·size, (1 − mean)·size): the mid-quantiles
    (k + ½)/points, k = 0 … points − 1."""
    mean = min(max(mean, 1e-4), 1 - 1e-4)
    # beyond this the spread (≈ 0.015 at worst) moves nobody's probability noticeably
    if size >= 4000 or points <= 1:
        return [mean]
    return list(_points(round(mean, 4), round(size, 1), points))


@lru_cache(maxsize=256)
def _points(mean: float, size: float, points: int) -> tuple[float, ...]:
    a, b = mean * size, (1.0 - mean) * size
    xs = [(i + 0.5) / GRID for i in range(GRID)]
    logs = [(a - 1.0) * math.log(x) + (b - 1.0) * math.log1p(-x) for x in xs]
    top = max(logs)
    weights = [math.exp(v - top) for v in logs]
    total = sum(weights)
    cumulative, running = [], 0.0
    for w in weights:
        running += w / total
        cumulative.append(running)
    result = []
    index = 0
    for k in range(points):
        target = (k + 0.5) / points
        while index < GRID - 1 and cumulative[index] < target:
            index += 1
        below = cumulative[index - 1] if index else 0.0
        span = cumulative[index] - below
        fraction = (target - below) / span if span > 0 else 0.5
        result.append(min(max((index + fraction) / GRID, 1e-4), 1 - 1e-4))
    return tuple(result)
