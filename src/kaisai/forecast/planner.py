"""The accept planner of fill-the-room mode: how many of a frame to accept so that the
probability of more arrivals than seats stays within the frame's overflow risk."""

from __future__ import annotations

from kaisai.forecast.selectors import frame_forecast
from kaisai.registrations.models import Frame


def recommended_accept_for(frame: Frame) -> int:
    """The largest number to accept (never below the frame's capacity), from current facts."""
    return frame_forecast(frame).recommended_accept
