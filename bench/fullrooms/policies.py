"""The four policies the simulation compares, the series' fixed settings, and what of
kaisai's services each policy needs (`Features.detect`)."""

from __future__ import annotations

import importlib
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


def _optional(path: str) -> Any:
    """`module:attribute` if this build has it, else None (policies 2–4 need the services
    of issue 12's other branches)."""
    module, _, name = path.partition(":")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def _planner() -> Any:
    """The accept planner connected to `registrations.hooks` (kaisai.forecast's), if any."""
    planners = _optional("kaisai.registrations.hooks:accept_planners")
    return planners[-1] if planners else None


@dataclass
class Features:
    set_accept_limit: Any = None
    replan_upcoming: Any = None
    replan: Any = None
    frame_forecast: Any = None
    admit_standby: Any = None
    opt_in_standby: Any = None
    planner: Any = None
    overbooking_field: bool = False

    @classmethod
    def detect(cls) -> Features:
        from kaisai.registrations.models import Frame

        fields = {f.name for f in Frame._meta.get_fields()}
        return cls(
            set_accept_limit=_optional("kaisai.registrations.services:set_accept_limit"),
            replan_upcoming=_optional("kaisai.registrations.services:replan_upcoming"),
            replan=_optional("kaisai.registrations.services:replan"),
            frame_forecast=_optional("kaisai.forecast.selectors:frame_forecast"),
            admit_standby=_optional("kaisai.checkin.services:admit_standby"),
            opt_in_standby=_optional("kaisai.registrations.services.standby:opt_in_standby"),
            planner=_planner(),
            overbooking_field="overbooking" in fields,
        )

    def supports(self, policy: str) -> str:
        """What this build lacks to run `policy` ("" when nothing)."""
        missing = []
        if policy == "fixed13" and self.set_accept_limit is None:
            missing.append("registrations.services.set_accept_limit")
        if policy in ("forecast", "full"):
            if not self.overbooking_field:
                missing.append("Frame.overbooking")
            if self.replan_upcoming is None:
                missing.append("registrations.services.replan_upcoming")
            if self.planner is None:
                missing.append("an accept planner (kaisai.forecast)")
        if policy == "full":
            if self.admit_standby is None:
                missing.append("checkin.services.admit_standby")
            if self.opt_in_standby is None:
                missing.append("registrations.services.standby.opt_in_standby")
        return ", ".join(missing)
