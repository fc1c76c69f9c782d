"""The four policies the simulation compares, the series' fixed settings, and the kaisai
services the simulation drives beyond registering and cancelling (`Services.load`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

POLICIES = {
    "seats": "accept = seats (today)",
    "fixed13": "fixed 1.3× overbooking",
    "forecast": "forecast alone",
    "full": "forecast + reconfirmation + standby",
}

# The series: event #k starts at START + k × INTERVAL (19:00 in Tokyo).
START = datetime(2027, 1, 13, 10, 0, tzinfo=UTC)
INTERVAL = timedelta(days=14)
RECONFIRM_HOURS = 48
STANDBY_AFTER_MINUTES = 10
FIXED_FACTOR = 1.3
OVERFLOW_RISK = 0.05


@dataclass
class Services:
    """kaisai's services of fill-the-room mode and standby, imported once Django is set up."""

    set_accept_limit: Callable[..., Any]
    replan_upcoming: Callable[..., Any]
    replan: Callable[..., Any]
    frame_forecast: Callable[..., Any]
    admit_standby: Callable[..., Any]
    opt_in_standby: Callable[..., Any]

    @classmethod
    def load(cls) -> Services:
        from kaisai.checkin.services import admit_standby
        from kaisai.forecast.selectors import frame_forecast
        from kaisai.registrations.services import replan, replan_upcoming, set_accept_limit
        from kaisai.registrations.services.standby import opt_in_standby

        return cls(
            set_accept_limit=set_accept_limit,
            replan_upcoming=replan_upcoming,
            replan=replan,
            frame_forecast=frame_forecast,
            admit_standby=admit_standby,
            opt_in_standby=opt_in_standby,
        )
