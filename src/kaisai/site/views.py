"""The home page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kaisai.events.selectors import upcoming_public_events


def home(request: HttpRequest) -> HttpResponse:
    events = upcoming_public_events()[:20]
    return render(request, "kaisai/home.html", {"events": events})
