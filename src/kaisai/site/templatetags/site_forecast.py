"""`{% event_forecast_cards_for event as cards %}`: the forecast card's frames for the compact
card on the organizer's registrations page (read only; the page shows it to owners and
organizers only)."""

from __future__ import annotations

from django import template

from kaisai.events.models import Event
from kaisai.site.selectors_forecast import FrameCard, event_forecast_cards

register = template.Library()


@register.simple_tag
def event_forecast_cards_for(event: Event) -> list[FrameCard]:
    return event_forecast_cards(event)
