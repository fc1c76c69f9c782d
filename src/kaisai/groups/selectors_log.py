"""Reads of the organizer action log (for its owners' page)."""

from __future__ import annotations

from django.db.models import QuerySet

from kaisai.groups.models import ActionLog, Group


def action_log_of(group: Group) -> QuerySet[ActionLog]:
    """The group's log, newest first, with who did it and on which event."""
    return (
        ActionLog.objects.filter(group=group)
        .select_related("actor", "event")
        .order_by("-created_at", "-id")
    )
