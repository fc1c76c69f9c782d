"""A stand-in for `kaisai.forecast.selectors` (helper "model"'s branch), installed by
tests/conftest.py ONLY while that app is absent, so that the forecast pages can be tested
against the shared interface. The real app replaces it at merge; delete this file then."""

from __future__ import annotations

import math
import sys
import types
from dataclasses import dataclass


@dataclass(frozen=True)
class FrameForecast:
    expected_attendance: float
    low: int
    high: int
    overflow_probability: float
    recommended_accept: int
    accepted: int
    waitlisted: int
    expected_promotions: float
    based_on_history: bool
    explanation: str


@dataclass(frozen=True)
class HistoryItem:
    event: object
    capacity: int
    expected_attendance: float
    low: int
    high: int
    actual: int


def frame_forecast(frame, *, risk=None):
    from kaisai.registrations.models import Registration

    accepted = Registration.objects.filter(frame=frame, status="accepted").count()
    waitlisted = Registration.objects.filter(frame=frame, status="waitlisted").count()
    expected = 0.7 * accepted
    spread = math.sqrt(accepted * 0.21) * 1.645
    return FrameForecast(
        expected_attendance=expected,
        low=max(0, math.floor(expected - spread)),
        high=math.ceil(expected + spread),
        overflow_probability=0.01,
        recommended_accept=math.ceil(frame.capacity / 0.7),
        accepted=accepted,
        waitlisted=waitlisted,
        expected_promotions=0.0,
        based_on_history=False,
        explanation="No history yet: the group's prior.",
    )


def event_forecast(event):
    return [frame_forecast(frame) for frame in event.frames.all()]


def group_forecast_history(group):
    return []


def show_probabilities(registrations):
    return {registration.pk: 0.7 for registration in registrations}


def install() -> None:
    package = types.ModuleType("kaisai.forecast")
    package.__path__ = []
    selectors = types.ModuleType("kaisai.forecast.selectors")
    for name in ("FrameForecast", "frame_forecast", "event_forecast", "group_forecast_history",
                 "show_probabilities"):  # fmt: skip
        setattr(selectors, name, globals()[name])
    setattr(package, "selectors", selectors)  # noqa: B010
    sys.modules["kaisai.forecast"] = package
    sys.modules["kaisai.forecast.selectors"] = selectors
