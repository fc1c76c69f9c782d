from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kaisai.events.models import Event


def event_page_context(request: HttpRequest, event: Event, *, can_manage: bool) -> dict[str, Any]:
    """Context for the event page's part of this module (template talks/_event_*.html)."""
    return {}


def material_flags(talk_ids: list[int]) -> dict[int, dict[str, bool]]:
    """Per talk: {"slides": bool, "video": bool} — one query for all talks."""
    return {talk_id: {"slides": False, "video": False} for talk_id in talk_ids}
