"""What the simulation records: one row per event of a series (`EventResult`) and the state of
one group under one policy while it runs (`Run`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bench.fullrooms.population import Series


@dataclass
class EventResult:
    shape: str
    policy: str
    number: int  # 0-based index in the series
    seats: int
    applicants: int
    comers: int  # applicants who would come if accepted (the ceiling: min(comers, seats))
    accepted: int  # accepted when the doors opened
    arrivals: int  # accepted people who came
    seated: int  # min(arrivals, seats) + admitted standbys
    overflow: bool  # more arrivals than seats
    empty: int
    cancelled: int
    answered_yes: int = 0
    answered_no: int = 0
    standby_opted: int = 0
    standby_arrived: int = 0
    standby_admitted: int = 0
    standby_turned_away: int = 0
    forecast: dict[str, Any] = field(default_factory=dict)

    @property
    def utilisation(self) -> float:
        return self.seated / self.seats


@dataclass
class Run:
    """One group: one population shape under one policy."""

    shape: str
    policy: str
    series: Series
    organizer: Any = None
    group: Any = None
    users: list[Any] = field(default_factory=list)
    frames: dict[int, Any] = field(default_factory=dict)
    registrations: dict[tuple[int, int], int] = field(default_factory=dict)  # (k, person) → id
    answered: set[int] = field(default_factory=set)  # registration ids with an answer planned
    results: list[EventResult] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
