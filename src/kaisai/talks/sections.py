"""What the event page shows of talks: one entry point for events.views.event_detail."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kaisai.events.models import Event
from kaisai.talks import selectors_materials, selectors_talks, selectors_timetable


def talk_sections(request: HttpRequest, event: Event, *, can_manage: bool) -> dict[str, Any]:
    return {
        **selectors_talks.event_page_context(request, event, can_manage=can_manage),
        **selectors_timetable.event_page_context(request, event, can_manage=can_manage),
        **selectors_materials.event_page_context(request, event, can_manage=can_manage),
    }
