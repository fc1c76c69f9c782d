"""kaisai forecast EVENT_ID: the event's forecast per frame as JSON."""

from __future__ import annotations

import json
from dataclasses import asdict

from django.core.management.base import BaseCommand, CommandError

from kaisai.events.models import Event
from kaisai.forecast.selectors import event_forecast


class Command(BaseCommand):
    help = "Print the forecast of an event's frames (who will come) as JSON."

    def add_arguments(self, parser) -> None:
        parser.add_argument("event_id", type=int)

    def handle(self, *args, event_id: int, **options) -> None:
        event = Event.objects.filter(pk=event_id).first()
        if event is None:
            raise CommandError(f"No event with id {event_id}.")
        frames = [asdict(forecast) for forecast in event_forecast(event)]
        data = {"event": event.pk, "title": event.title, "frames": frames}
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
