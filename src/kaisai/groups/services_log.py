"""The organizer action log: one call, `log_action`, from each service or view that does an
action owners should be able to trace (docs/security.md, "Action log")."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kaisai.groups.enums import Action
from kaisai.groups.models import ActionLog, Group


def log_action(
    *,
    group: Group | int,
    actor: Any,
    action: Action | str,
    event: Any = None,
    **details: Any,
) -> ActionLog:
    """Record that `actor` did `action` in `group` (about `event`, if any). `details` are
    short JSON-serialisable facts (a frame's title, the old and new capacity, a role).

    Called inside the action's transaction when there is one, so that the entry exists exactly
    when the action does."""
    group_id = group if isinstance(group, int) else group.pk
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    if actor_id is not None and not getattr(actor, "is_authenticated", True):
        actor_id = None
    entry = ActionLog(
        group_id=group_id,
        event_id=getattr(event, "pk", event),
        actor_id=actor_id,
        action=Action(action).value,
        details={key: _plain(value) for key, value in details.items()},
    )
    with transaction.atomic():
        entry.save()
    return entry


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return str(value)
