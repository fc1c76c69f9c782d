"""Event pages: thin views that authorise, call a form or a service, and render. The event's
own page combines registrations and talks: it is the site's (kaisai.site.views_events)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kaisai.events import services
from kaisai.events.enums import EventStatus
from kaisai.events.forms import EventForm, SponsorFormSet
from kaisai.events.ics import event_calendar
from kaisai.events.models import Event
from kaisai.events.selectors import past_public_events, upcoming_public_events
from kaisai.groups.models import Group
from kaisai.groups.permissions import can_do_reception, can_manage_events, require

EVENTS_PER_PAGE = 30


def _visible_event(request: HttpRequest, queryset: QuerySet[Event], pk: int) -> tuple[Event, bool]:
    """The event, 404 if it is a draft and the user is none of its group's organizers.
    Returns (event, is_organizer) where is_organizer means any role in the group."""
    event = get_object_or_404(queryset, pk=pk)
    is_organizer = can_do_reception(request.user, event.group)
    if event.status == EventStatus.DRAFT and not is_organizer:
        raise Http404
    return event, is_organizer


def _managed_event(request: HttpRequest, pk: int) -> Event:
    """The event, 403 unless the user is its group's owner or organizer."""
    event = get_object_or_404(Event.objects.select_related("group"), pk=pk)
    require(can_manage_events(request.user, event.group))
    return event


def event_list(request: HttpRequest) -> HttpResponse:
    past = request.GET.get("past") == "1"
    events = past_public_events() if past else upcoming_public_events()
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "events/event_list.html", {"page": page, "past": past})


def event_ics(request: HttpRequest, pk: int) -> HttpResponse:
    event, _is_organizer = _visible_event(request, Event.objects.select_related("group"), pk)
    response = HttpResponse(event_calendar(event), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response


def _render_form(request, *, form, formset, group, event=None, status=200) -> HttpResponse:
    context = {"form": form, "formset": formset, "group": group, "event": event}
    return render(request, "events/event_form.html", context, status=status)


@login_required
def event_create(request: HttpRequest, group_slug: str) -> HttpResponse:
    group = get_object_or_404(Group, slug=group_slug)
    require(can_manage_events(request.user, group))
    draft = Event(group=group, time_zone=settings.TIME_ZONE)
    if request.method == "POST":
        form = EventForm(request.POST, request.FILES, instance=draft)
        formset = SponsorFormSet(request.POST, request.FILES, instance=draft, prefix="sponsors")
        if form.is_valid() and formset.is_valid():
            with transaction.atomic():
                event = services.create_event(group=group, by=request.user, **form.event_fields())
                services.save_sponsors(event=event, formset=formset)
            messages.success(request, _("Draft saved. Publish it from its page when it is ready."))
            return redirect(event)
        return _render_form(request, form=form, formset=formset, group=group, status=400)
    form = EventForm(instance=draft)
    formset = SponsorFormSet(instance=draft, prefix="sponsors")
    return _render_form(request, form=form, formset=formset, group=group)


@login_required
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = _managed_event(request, pk)
    # The form works on its own copy, so a rejected edit does not show up in the page title.
    editable = Event.objects.get(pk=event.pk)
    if request.method == "POST":
        form = EventForm(request.POST, request.FILES, instance=editable)
        formset = SponsorFormSet(request.POST, request.FILES, instance=event, prefix="sponsors")
        if form.is_valid() and formset.is_valid():
            with transaction.atomic():
                services.update_event(event=event, by=request.user, **form.event_fields())
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
        event = _managed_event(request, pk)
        try:
            service(event=event, by=request.user)
        except services.EventError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, success)
        return redirect(event)

    view.__name__ = service.__name__.replace("_event", "") + "_view"
    return view


event_publish = _state_change(services.publish_event, gettext_lazy("The event is published."))
event_cancel = _state_change(services.cancel_event, gettext_lazy("The event is cancelled."))
event_postpone = _state_change(services.postpone_event, gettext_lazy("The event is postponed."))


@login_required
@require_POST
def event_copy(request: HttpRequest, pk: int) -> HttpResponse:
    event = _managed_event(request, pk)
    new = services.copy_event_as_next(event=event, by=request.user)
    messages.success(
        request,
        _("Draft #%(number)s created from #%(source)s. Check the dates and details.")
        % {"number": new.number, "source": event.number},
    )
    return redirect("events:edit", pk=new.pk)
