"""Explicit hooks: apps above events register here what must happen inside an event's write
transaction, in their AppConfig.ready() (notices: tell the group's members about a newly
published event). No signals: the list below is everything that runs, in order."""

from __future__ import annotations

from collections.abc import Callable

from kaisai.events.models import Event

EventHook = Callable[[Event], object]

published_hooks: list[EventHook] = []


def on_published(hook: EventHook) -> EventHook:
    """Run `hook(event)` inside the transaction that publishes an event (also after a
    postponement). Registering the same function again changes nothing."""
    if hook not in published_hooks:
        published_hooks.append(hook)
    return hook


def run_published(event: Event) -> None:
    for hook in published_hooks:
        hook(event)
