"""The group page's call for speakers: its upcoming events with a speakers' frame open now."""

from __future__ import annotations

from django.utils import timezone

from kaisai.groups.models import Group
from kaisai.registrations.models import Frame
from kaisai.registrations.selectors import taking_registrations

CALLS_LIMIT = 10


def open_calls_for_speakers(group: Group) -> list[Frame]:
    """Speakers' frames (`requires_talk`) of the group's published, not yet started events
    whose registration window is open now (`registrations.selectors.taking_registrations`), soonest
    event first; one query. Each frame has `seats_left` (0: new speakers go on the waitlist)."""
    now = timezone.now()
    frames = (
        taking_registrations(
            Frame.objects.filter(requires_talk=True, event__group=group, event__starts_at__gt=now),
            now,
        )
        .select_related("event")
        .order_by("event__starts_at", "event_id", "order", "id")[:CALLS_LIMIT]
    )
    result: list[Frame] = list(frames)
    for frame in result:
        frame.seats_left = max(frame.seat_limit - frame.accepted_count, 0)
    return result
