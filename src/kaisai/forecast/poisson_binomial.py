"""The number who come among people who each come independently with their own probability:
the Poisson-binomial distribution, computed exactly by dynamic programming (O(n²); a few
hundred people take milliseconds), and the largest number to accept for a given overflow risk.
Pure functions, no database (docs/full-rooms.md)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def add_person(distribution: list[float], p: float) -> list[float]:
    """The distribution after one more person who comes with probability `p`."""
    q = 1.0 - p
    result = [0.0] * (len(distribution) + 1)
    for k, mass in enumerate(distribution):
        if mass:
            result[k] += mass * q
            result[k + 1] += mass * p
    return result


def distribution(probabilities: Iterable[float]) -> list[float]:
    """P(X = k) for k = 0..n, X the number who come."""
    dist = [1.0]
    for p in probabilities:
        dist = add_person(dist, p)
    return dist


def mean(dist: Sequence[float]) -> float:
    return sum(k * mass for k, mass in enumerate(dist))


def prob_above(dist: Sequence[float], k: int) -> float:
    """P(X > k)."""
    if k < 0:
        return 1.0
    return min(1.0, max(0.0, sum(dist[k + 1 :])))


def quantile(dist: Sequence[float], q: float) -> int:
    """The smallest k with P(X <= k) >= q."""
    total = 0.0
    for k, mass in enumerate(dist):
        total += mass
        if total >= q - 1e-12:
            return k
    return len(dist) - 1


def mixture(distributions: Sequence[Sequence[float]]) -> list[float]:
    """The equal-weight mixture of distributions (the group's possible rates, equally likely)."""
    size = max(len(d) for d in distributions)
    result = [0.0] * size
    for dist in distributions:
        for k, mass in enumerate(dist):
            result[k] += mass / len(distributions)
    return result


def _add_capped(distribution: list[float], p: float, cap: int) -> list[float]:
    """`add_person` keeping states 0 … cap + 1, the last one holding all mass above `cap`."""
    dist = add_person(distribution, p)
    if len(dist) > cap + 2:
        dist[cap + 1] += dist.pop()
    return dist


def recommended_accept(probabilities: Sequence[float], capacity: int, risk: float) -> int:
    """The largest n such that P(more than `capacity` of the first n candidates come) <=
    `risk`, candidates in acceptance order (accepted people first, then the waitlist in order,
    then expected applicants); never below `capacity`. Since adding a person never makes
    overflow less likely, the first n that breaks the risk ends the search."""
    return recommended_accept_mixed([probabilities], capacity, risk)


def recommended_accept_mixed(
    scenarios: Sequence[Sequence[float]], capacity: int, risk: float
) -> int:
    """`recommended_accept` when the candidates' probabilities depend on which of several
    equally likely scenarios holds (the group's possible rates): the risk is the average
    over the scenarios of P(more than `capacity` come). O(n · capacity) per scenario."""
    dists = [[1.0] for _ in scenarios]
    best = 0
    length = min(len(s) for s in scenarios) if scenarios else 0
    for n in range(length):
        dists = [_add_capped(d, s[n], capacity) for d, s in zip(dists, scenarios, strict=True)]
        if sum(prob_above(d, capacity) for d in dists) / len(dists) > risk:
            break
        best = n + 1
    return max(capacity, best)
