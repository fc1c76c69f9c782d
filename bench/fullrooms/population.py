"""Synthetic people for the full-rooms simulation: per-person show rates of several shapes,
and every random decision of a series drawn up front from seeded streams, so that the four
policies meet exactly the same people making exactly the same choices.

Nothing here touches Django: the driver (`sim.py`) turns these decisions into calls of
kaisai's services.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field


def _beta(a: float, b: float) -> Callable[[random.Random], float]:
    return lambda rng: rng.betavariate(a, b)


def _mixture(*parts: tuple[float, float, float]) -> Callable[[random.Random], float]:
    """Mixture of Beta(a, b) parts with weights w: ((w, a, b), ...)."""

    def draw(rng: random.Random) -> float:
        pick = rng.random()
        for weight, a, b in parts:
            if pick < weight:
                return rng.betavariate(a, b)
            pick -= weight
        return rng.betavariate(parts[-1][1], parts[-1][2])

    return draw


# name → (description, draw of one person's show rate)
SHAPES: dict[str, tuple[str, Callable[[random.Random], float]]] = {
    "beta22": ("Beta(2, 2): everyone somewhere in the middle (mean 0.50)", _beta(2, 2)),
    "bimodal": (
        "35% regulars Beta(18, 2) + 65% one-timers Beta(2, 6) (mean 0.48)",
        _mixture((0.35, 18, 2), (0.65, 2, 6)),
    ),
    "ushape_low": ("U-shaped, mostly low: Beta(0.4, 0.8) (mean 0.33)", _beta(0.4, 0.8)),
    "high": ("mostly reliable: Beta(4, 2) (mean 0.67)", _beta(4, 2)),
}

# Behaviour around the show rate (the same for every shape).
CANCEL_IF_NOT_COMING = 0.4  # who will not come cancels ahead with this probability
CANCEL_MEAN_DAYS_BEFORE = 2.5  # … at start - 1 h - Exp(mean) (late cancels are common)
ANSWER_YES_IF_COMING = 0.75  # reconfirmation: who comes answers "yes" (else no answer)
ANSWER_NO_IF_NOT = 0.5  # who will not come (and has not cancelled) answers "no" …
ANSWER_YES_IF_NOT = 0.05  # … or "yes" all the same (else no answer)
STANDBY_OPT_IN = 0.6  # a waitlisted person opts in as standby (comes to the door if coming)


@dataclass
class Person:
    index: int
    show_rate: float
    weight: float  # how often they apply (regulars apply more)


@dataclass
class Decision:
    """What one person does for one event: known to the harness, never to kaisai."""

    comes: bool
    cancels_ahead: bool
    cancel_days_before: float
    answer_draw: float  # compared with the ANSWER_* probabilities
    answer_delay: float  # fraction of the answer window
    standby_draw: float
    register_at: float  # fraction of the registration window


@dataclass
class Series:
    shape: str
    seats: int
    events: int
    people: list[Person]
    applicants: list[list[int]] = field(default_factory=list)  # per event: person indices
    decisions: list[dict[int, Decision]] = field(default_factory=list)


def make_series(*, shape: str, seats: int, events: int, seed: int, demand: float = 2.0) -> Series:
    """People (pool of 5 × seats) with show rates of `shape`; per event `demand × seats`
    applicants drawn from the pool (weighted: who comes more often applies more often, so
    people return across the series), and each applicant's decisions for that event."""
    draw_rate = SHAPES[shape][1]
    rng = random.Random(f"{seed}:{shape}:people")
    pool = max(5 * seats, 10)
    people = []
    for index in range(pool):
        rate = min(max(draw_rate(rng), 0.0), 1.0)
        people.append(Person(index=index, show_rate=rate, weight=0.3 + rate))
    series = Series(shape=shape, seats=seats, events=events, people=people)
    wanted = min(math.ceil(demand * seats), pool)
    for number in range(events):
        erng = random.Random(f"{seed}:{shape}:event:{number}")
        chosen = _weighted_sample(erng, people, wanted)
        series.applicants.append(chosen)
        decisions = {}
        for index in chosen:
            prng = random.Random(f"{seed}:{shape}:event:{number}:person:{index}")
            comes = prng.random() < people[index].show_rate
            decisions[index] = Decision(
                comes=comes,
                cancels_ahead=(not comes) and prng.random() < CANCEL_IF_NOT_COMING,
                cancel_days_before=prng.expovariate(1 / CANCEL_MEAN_DAYS_BEFORE),
                answer_draw=prng.random(),
                answer_delay=prng.random(),
                standby_draw=prng.random(),
                register_at=prng.random(),
            )
        series.decisions.append(decisions)
    return series


def _weighted_sample(rng: random.Random, people: list[Person], count: int) -> list[int]:
    """`count` distinct people, each drawn with probability proportional to its weight
    (Efraimidis–Spirakis keys)."""
    keyed = sorted(people, key=lambda p: rng.random() ** (1 / p.weight), reverse=True)
    return sorted(p.index for p in keyed[:count])


def answer_of(decision: Decision) -> str | None:
    """The reconfirmation answer ("yes" / "no" / None for no answer)."""
    if decision.comes:
        return "yes" if decision.answer_draw < ANSWER_YES_IF_COMING else None
    if decision.answer_draw < ANSWER_NO_IF_NOT:
        return "no"
    if decision.answer_draw < ANSWER_NO_IF_NOT + ANSWER_YES_IF_NOT:
        return "yes"
    return None
