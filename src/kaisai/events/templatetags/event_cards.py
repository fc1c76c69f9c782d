from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.safestring import SafeString

from kaisai.events.cards import event_cards
from kaisai.events.models import Event

register = template.Library()


@register.simple_tag(name="event_cards")
def event_cards_tag(events: Iterable[Event] | None) -> SafeString:
    """`{% event_cards events %}`: the list of event cards (kaisai.events.cards)."""
    return event_cards(events)
