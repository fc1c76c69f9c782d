"""The participants list (参加者一覧) of an event and the participant's choice to appear in it
(docs/participants.md). The event page shows a summary of the same list
(kaisai.site's `events/_event_social.html`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaisai.accounts.requests import signed_in_user
from kaisai.accounts.selectors import is_listed, listing_choice
from kaisai.events.access import public_event_or_404, visible_event_or_404
from kaisai.registrations import selectors
from kaisai.registrations.errors import RegistrationError
from kaisai.registrations.selectors_participants import participants_of
from kaisai.registrations.services.listing import set_listed


def participants(request: HttpRequest, pk: int) -> HttpResponse:
    event = visible_event_or_404(request.user, pk)
    mine = selectors.registration_of(event, request.user)
    context = {
        "event": event,
        "rows": participants_of(event),
        "my_registration": mine,
        "my_choice": listing_choice(mine.listed) if mine else None,
        "i_am_shown": is_listed(mine.listed, mine.user) if mine else False,
    }
    return render(request, "registrations/participants.html", context)


@login_required
@require_POST
def listing(request: HttpRequest, pk: int) -> HttpResponse:
    event = public_event_or_404(pk)
    try:
        registration = set_listed(
            event=event, user=signed_in_user(request), choice=request.POST.get("choice", "")
        )
    except RegistrationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if is_listed(registration.listed, registration.user):
            messages.success(request, _("You appear in the participants list."))
        else:
            messages.success(request, _("You are hidden from the participants list."))
    if request.POST.get("back") == "mine":
        return redirect("registrations:mine", pk=event.pk)
    return redirect("registrations:participants", pk=event.pk)
