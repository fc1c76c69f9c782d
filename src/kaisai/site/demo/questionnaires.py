"""The demo's past MLCT events asked the same questionnaire as #5 does (so that "copy as
next" of a past event has one to copy; docs/copy-as-next.md)."""

from __future__ import annotations

from collections.abc import Iterable

from kaisai.events.models import Event
from kaisai.site.demo.registrations import add_questionnaire


def add_past_questionnaires(past: Iterable[Event]) -> None:
    for event in past:
        add_questionnaire(event)
