"""Event pages: thin views that authorise, call a form or a service, and render. The event's
own page combines registrations and talks: it is the site's (kaisai.site.views_events)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kaisai.accounts.requests import signed_in_user
from kaisai.events import services
from kaisai.events.access import managed_event_or_403, visible_event_or_404
from kaisai.events.forms import EventForm, SponsorFormSet
from kaisai.events.ics import event_calendar
from kaisai.events.models import Event
from kaisai.events.selectors import past_public_events, upcoming_public_events
from kaisai.groups.access import managed_group_or_403

EVENTS_PER_PAGE = 30


def event_list(request: HttpRequest) -> HttpResponse:
    past = request.GET.get("past") == "1"
    events = past_public_events() if past else upcoming_public_events()
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "events/event_list.html", {"page": page, "past": past})


def event_ics(request: HttpRequest, pk: int) -> HttpResponse:
    event = visible_event_or_404(request.user, pk)
    response = HttpResponse(event_calendar(event), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response


def _render_form(request, *, form, formset, group, event=None, status=200) -> HttpResponse:
    context = {"form": form, "formset": formset, "group": group, "event": event}
    return render(request, "events/event_form.html", context, status=status)


@login_required
def event_create(request: HttpRequest, group_slug: str) -> HttpResponse:
    group = managed_group_or_403(request.user, group_slug)
    draft = Event(group=group, time_zone=settings.TIME_ZONE)
    if request.method == "POST":
        form = EventForm(request.POST, request.FILES, instance=draft)
        formset = SponsorFormSet(request.POST, request.FILES, instance=draft, prefix="sponsors")
        if form.is_valid() and formset.is_valid():
            with transaction.atomic():
                event = services.create_event(
                    group=group, by=signed_in_user(request), **form.event_fields()
                )
                services.save_sponsors(event=event, formset=formset)
            messages.success(request, _("Draft saved. Publish it from its page when it is ready."))
            return redirect(event)
        return _render_form(request, form=form, formset=formset, group=group, status=400)
    form = EventForm(instance=draft)
    formset = SponsorFormSet(instance=draft, prefix="sponsors")
    return _render_form(request, form=form, formset=formset, group=group)


@login_required
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = managed_event_or_403(request.user, pk)
    # The form works on its own copy, so a rejected edit does not show up in the page title.
    editable = Event.objects.get(pk=event.pk)
    if request.method == "POST":
        form = EventForm(request.POST, request.FILES, instance=editable)
        formset = SponsorFormSet(request.POST, request.FILES, instance=event, prefix="sponsors")
        if form.is_valid() and formset.is_valid():
            with transaction.atomic():
                services.update_event(
                    event=event, by=signed_in_user(request), **form.event_fields()
                )
                services.save_sponsors(event=event, formset=formset)
            messages.success(request, _("Event saved."))
            return redirect(event)
        return _render_form(
            request, form=form, formset=formset, group=event.group, event=event, status=400
        )
    form = EventForm(instance=editable)
    formset = SponsorFormSet(instance=event, prefix="sponsors")
    return _render_form(request, form=form, formset=formset, group=event.group, event=event)


def _state_change(service: Callable[..., Event], success) -> Callable[..., HttpResponse]:
    @login_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        event = managed_event_or_403(request.user, pk)
        try:
            service(event=event, by=request.user)
        except services.EventError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, success)
        return redirect(event)

    view.__name__ = service.__name__.replace("_event", "") + "_view"
    return view


# Publishing asks for a confirmation first (what goes to whom): kaisai.site.views_publish.
event_cancel = _state_change(services.cancel_event, gettext_lazy("The event is cancelled."))
event_postpone = _state_change(services.postpone_event, gettext_lazy("The event is postponed."))


# Copy as next (with its preview) is the site's: kaisai.site.views_copy_next.
