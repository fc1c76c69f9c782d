from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from kaisai.events.models import Event
from kaisai.events.selectors import upcoming_public_events


def event_list(request: HttpRequest) -> HttpResponse:
    return render(request, "events/event_list.html", {"events": upcoming_public_events()})


def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event, pk=pk)
    return render(request, "events/event_detail.html", {"event": event})
