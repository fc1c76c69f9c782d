"""A person's profile page: the events they organized, attended and presented at."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from kaisai.accounts.models import User
from kaisai.site import selectors_profile

PROFILE_LIST_LIMIT = 100


def profile(request: HttpRequest, nickname: str) -> HttpResponse:
    person = get_object_or_404(User, nickname=nickname, is_active=True)
    context = {
        "person": person,
        "organized": list(selectors_profile.events_organized_by(person)[:PROFILE_LIST_LIMIT]),
        "attended": list(selectors_profile.events_attended_by(person)[:PROFILE_LIST_LIMIT]),
        "presented": list(selectors_profile.events_presented_by(person)[:PROFILE_LIST_LIMIT]),
    }
    return render(request, "accounts/profile.html", context)
