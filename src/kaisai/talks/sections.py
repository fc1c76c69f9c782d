"""What the event page shows of talks: one entry point for events.views.event_detail."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kaisai.core.subqueries import CountOf
from kaisai.events.models import Event
from kaisai.registrations.models import Frame
from kaisai.talks import selectors_materials, selectors_talks, selectors_timetable
from kaisai.talks.enums import TalkState
from kaisai.talks.models import Material, Talk, TimetableEntry


def talk_sections(
    request: HttpRequest, event: Event, *, can_manage: bool, frames: list[Frame] | None = None
) -> dict[str, Any]:
    """`frames`: the page's frames (registrations' selector), so that the open speakers' frame
    is found without a query of its own."""
    return {
        **selectors_talks.event_page_context(request, event, can_manage=can_manage, frames=frames),
        **selectors_timetable.event_page_context(request, event, can_manage=can_manage),
        **selectors_materials.event_page_context(request, event, can_manage=can_manage),
    }


MATERIALS = CountOf(lambda: Material.objects.all(), parent="event")
UNSCHEDULED_TALKS = CountOf(
    lambda: Talk.objects.filter(state=TalkState.ACCEPTED, slot__isnull=True), parent="event"
)
TIMETABLE_ENTRIES = CountOf(lambda: TimetableEntry.objects.all(), parent="event")


def page_annotations() -> dict[str, Any]:
    """Counts the event page's query adds to the event row, so that an empty part costs no
    query of its own: materials, unscheduled accepted talks, timetable entries."""
    return {
        "n_materials": MATERIALS(),
        "n_unscheduled_talks": UNSCHEDULED_TALKS(),
        "n_timetable_entries": TIMETABLE_ENTRIES(),
    }
