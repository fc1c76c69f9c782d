"""Timetable pages: the organizers' editor, the frab schedule export and a talk's .ics.

The editor is one URL: GET shows the timetable, the add form and (with ?edit=<entry id>) an
entry's edit form; POST carries `action` = add | edit | delete. See docs/timetable.md.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from kaisai.events.access import managed_event_or_403, public_event_or_404
from kaisai.events.models import Event
from kaisai.talks import frab
from kaisai.talks.enums import TalkState
from kaisai.talks.forms_timetable import (
    EntryAddForm,
    EntryEditForm,
    local_input,
    show_service_error,
)
from kaisai.talks.ics import talk_calendar
from kaisai.talks.models import TimetableEntry
from kaisai.talks.selectors_timetable import (
    scheduled_entry_of_talk,
    scheduled_talk_entries,
    timetable_entries,
    unscheduled_accepted_talks,
)
from kaisai.talks.services.timetable import (
    TimetableError,
    add_entry,
    delete_entry,
    next_start,
    update_entry,
)


def _entry_of(event: Event, raw_id: str | None) -> TimetableEntry:
    try:
        entry_id = int(raw_id or "")
    except ValueError:
        raise Http404 from None
    return get_object_or_404(
        TimetableEntry.objects.select_related("event"), pk=entry_id, event=event
    )


@login_required
def edit_timetable(request: HttpRequest, pk: int) -> HttpResponse:
    event = managed_event_or_403(request.user, pk)
    talks = unscheduled_accepted_talks(event)
    add_form = EntryAddForm(event=event, talks=talks)
    edit_form: EntryEditForm | None = None
    editing: TimetableEntry | None = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "add":
            add_form = EntryAddForm(request.POST, event=event, talks=talks)
            if add_form.is_valid():
                try:
                    add_entry(event=event, **add_form.entry_fields())
                except TimetableError as error:
                    show_service_error(add_form, error)
                else:
                    messages.success(request, _("The entry has been added to the timetable."))
                    return redirect("talks:timetable_edit", pk=event.pk)
            status = 400
        elif action == "edit":
            editing = _entry_of(event, request.POST.get("entry"))
            edit_form = EntryEditForm(request.POST, event=event)
            if edit_form.is_valid():
                try:
                    update_entry(entry=editing, **edit_form.entry_fields())
                except TimetableError as error:
                    show_service_error(edit_form, error)
                else:
                    messages.success(request, _("The entry has been changed."))
                    return redirect("talks:timetable_edit", pk=event.pk)
            status = 400
        elif action == "delete":
            delete_entry(entry=_entry_of(event, request.POST.get("entry")))
            messages.success(request, _("The entry has been removed from the timetable."))
            return redirect("talks:timetable_edit", pk=event.pk)
        else:
            return HttpResponse(status=400)
    elif request.GET.get("edit"):
        editing = _entry_of(event, request.GET.get("edit"))
        edit_form = EntryEditForm(event=event, entry=editing)
    context = {
        "event": event,
        "entries": list(timetable_entries(event)),
        "unscheduled": list(talks),
        "add_form": add_form,
        "edit_form": edit_form,
        "editing": editing,
        "next_start": local_input(next_start(event), event),
    }
    return render(request, "talks/timetable_edit.html", context, status=status)


def _schedule(event: Event) -> dict:
    return frab.schedule_data(event, scheduled_talk_entries(event))


def frab_json(request: HttpRequest, pk: int) -> HttpResponse:
    # Drafts are 404 to everyone: the export is for machines.
    event = public_event_or_404(pk)
    response = HttpResponse(
        frab.schedule_json(_schedule(event)), content_type="application/json; charset=utf-8"
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


def frab_xml(request: HttpRequest, pk: int) -> HttpResponse:
    # Drafts are 404 to everyone: the export is for machines.
    event = public_event_or_404(pk)
    response = HttpResponse(
        frab.schedule_xml(_schedule(event)), content_type="application/xml; charset=utf-8"
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


def talk_ics(request: HttpRequest, talk_id: int) -> HttpResponse:
    """A scheduled, accepted talk of a public event as a calendar entry; otherwise 404."""
    entry = scheduled_entry_of_talk(talk_id)
    if (
        entry is None
        or entry.talk is None
        or entry.talk.state != TalkState.ACCEPTED
        or not entry.event.is_public
    ):
        raise Http404
    response = HttpResponse(talk_calendar(entry), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="talk-{talk_id}.ics"'
    return response
