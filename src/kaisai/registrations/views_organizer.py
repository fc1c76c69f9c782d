"""Organizer pages for an event's registrations: the list, one registration with its actions
and log, the CSV export and the event's audit log.

The frame and questionnaire pages live in `views_organizer_frames` (re-exported here, since
`urls.py` names every organizer view through this module). Access rules: see
`views_organizer_base`.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaisai.accounts.requests import signed_in_user
from kaisai.events.models import Event
from kaisai.groups.enums import Action
from kaisai.groups.services_log import log_action
from kaisai.registrations import selectors, services
from kaisai.registrations.access import managed_registrations_or_403
from kaisai.registrations.csv_export import registrations_csv as build_csv
from kaisai.registrations.enums import Status
from kaisai.registrations.errors import RegistrationError
from kaisai.registrations.forms_organizer import (
    ACTIONS,
    ACTIONS_FOR_STATUS,
    REASON_REQUIRED,
    RegistrationActionForm,
    RegistrationFilterForm,
)
from kaisai.registrations.models import Frame, Question, Registration, RegistrationLog
from kaisai.registrations.views_organizer_base import reception_event
from kaisai.registrations.views_organizer_frames import (  # noqa: F401 (urls.py uses them)
    frame_edit,
    frames,
    question_delete,
    questions,
)

PER_PAGE = 100
LOG_PER_PAGE = 100
STATUS_LABELS = dict(Status.choices)


def _label_statuses(entries: Iterable[RegistrationLog]) -> None:
    for entry in entries:
        entry.from_label = STATUS_LABELS.get(entry.from_status, entry.from_status)
        entry.to_label = STATUS_LABELS.get(entry.to_status, entry.to_status)


def _filtered(request: HttpRequest, event: Event, *, search_email: bool = True):
    """(filter form, frames, queryset) from the list's query string. A frame id that is
    not one of the event's frames is a 404; an unknown status is ignored."""
    event_frames = list(Frame.objects.filter(event=event).order_by("order", "id"))
    raw_frame = request.GET.get("frame", "")
    if raw_frame and raw_frame not in {str(frame.pk) for frame in event_frames}:
        raise Http404
    form = RegistrationFilterForm(request.GET, frames=event_frames)
    form.is_valid()
    data = form.cleaned_data
    rows = selectors.registrations_for_organizers(
        event,
        status=data.get("status") or "",
        frame_id=data.get("frame"),
        search=(data.get("q") or "").strip(),
        search_email=search_email,
    )
    return form, event_frames, rows


@login_required
def registrations(request: HttpRequest, pk: int) -> HttpResponse:
    event, can_manage = reception_event(request, pk)
    form, event_frames, rows = _filtered(request, event, search_email=can_manage)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = selectors.with_waitlist_positions(list(page.object_list))
    counts = selectors.status_counts(event)
    context = {
        "event": event,
        "can_manage": can_manage,
        "form": form,
        "frames": event_frames,
        "page": page,
        "counts": [(value, label, counts[value]) for value, label in Status.choices],
        "total": sum(counts.values()),
        "filtered": any(request.GET.get(name) for name in ("status", "frame", "q")),
        "section": "registrations",
    }
    return render(request, "registrations/manage/registrations.html", context)


@login_required
def registration_detail(request: HttpRequest, pk: int, registration_id: int) -> HttpResponse:
    event, can_manage = reception_event(request, pk)
    registration = get_object_or_404(
        Registration.objects.select_related("user", "frame"), pk=registration_id, event=event
    )
    selectors.with_waitlist_positions([registration])
    answers = list(
        registration.answers.select_related("question").order_by("question__order", "question")
    )
    for answer in answers:
        value = answer.value
        answer.text = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
    log = list(registration.log.select_related("actor", "frame").order_by("created_at", "id"))
    _label_statuses(log)
    actions = ACTIONS_FOR_STATUS.get(Status(registration.status), ()) if can_manage else ()
    other_frames = [f for f in Frame.objects.filter(event=event) if f.pk != registration.frame_id]
    context = {
        "event": event,
        "can_manage": can_manage,
        "registration": registration,
        "answers": answers,
        "log": log,
        "actions": [
            (name, ACTIONS[name], name in REASON_REQUIRED)
            for name in actions
            if name != "move" or other_frames
        ],
        "other_frames": other_frames,
        "section": "registrations",
    }
    return render(request, "registrations/manage/registration_detail.html", context)


def _run_action(action: str, registration: Registration, *, event: Event, by, data) -> str:
    """Call the service for `action`; return the success message. Raises RegistrationError."""
    reason = data["reason"]
    name = registration.user.name
    if action == "nominate":
        result = services.nominate(registration=registration, by=by, reason=reason)
        if result.status == Status.ACCEPTED:
            return _("%(name)s is nominated and accepted.") % {"name": name}
        return _("%(name)s is nominated: accepted first at the draw.") % {"name": name}
    if action in ("accept", "reject"):
        services.decide_application(
            registration=registration, by=by, accept=action == "accept", reason=reason
        )
        if action == "accept":
            return _("%(name)s is accepted.") % {"name": name}
        return _("%(name)s is rejected.") % {"name": name}
    if action == "move":
        to_frame = get_object_or_404(Frame, pk=data["to_frame"], event=event)
        result = services.move_registration(
            registration=registration, to_frame=to_frame, by=by, reason=reason
        )
        return _("%(name)s is moved to “%(frame)s” (%(status)s).") % {
            "name": name,
            "frame": to_frame.name,
            "status": result.get_status_display(),
        }
    if not registration.is_active:
        raise RegistrationError(_("This registration is not active."), code="not_active")
    services.cancel_registration(registration=registration, by=by, reason=reason)
    return _("The registration of %(name)s is cancelled.") % {"name": name}


@login_required
@require_POST
def registration_action(request: HttpRequest, pk: int, registration_id: int) -> HttpResponse:
    """POST `action` (nominate, accept, reject, move, cancel), `reason`, `to_frame` (move)."""
    event = managed_registrations_or_403(request.user, pk)
    registration = get_object_or_404(
        Registration.objects.select_related("user", "frame"), pk=registration_id, event=event
    )
    form = RegistrationActionForm(request.POST)
    back = redirect(
        "registrations:registration_detail", pk=event.pk, registration_id=registration.pk
    )
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return back
    try:
        done = _run_action(
            form.cleaned_data["action"],
            registration,
            event=event,
            by=signed_in_user(request),
            data=form.cleaned_data,
        )
    except RegistrationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return back


@login_required
@require_POST
def registration_note(request: HttpRequest, pk: int, registration_id: int) -> HttpResponse:
    """POST `note`: what the reception should know when this person arrives."""
    event = managed_registrations_or_403(request.user, pk)
    registration = get_object_or_404(Registration, pk=registration_id, event=event)
    services.set_organizer_note(
        registration=registration, by=signed_in_user(request), note=request.POST.get("note", "")
    )
    messages.success(request, _("The note is saved."))
    return redirect(
        "registrations:registration_detail", pk=event.pk, registration_id=registration.pk
    )


@login_required
def registrations_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """All registrations (or the list's filters, if given) as CSV."""
    event = managed_registrations_or_403(request.user, pk)
    _form, _frames, rows = _filtered(request, event)
    rows_list = selectors.with_waitlist_positions(list(rows))
    event_questions = list(Question.objects.filter(event=event))
    # The one write of a GET: the action log records who exported personal data.
    log_action(
        group=event.group,
        actor=request.user,
        action=Action.CSV_EXPORTED,
        event=event,
        rows=len(rows_list),
    )
    response = HttpResponse(
        build_csv(event, rows_list, event_questions), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}-registrations.csv"'
    return response


@login_required
def audit_log(request: HttpRequest, pk: int) -> HttpResponse:
    """Every status change of the event's registrations, newest first."""
    event = managed_registrations_or_403(request.user, pk)
    entries = (
        RegistrationLog.objects.filter(registration__event=event)
        .select_related("registration__user", "actor", "frame")
        .order_by("-created_at", "-id")
    )
    page = Paginator(entries, LOG_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    _label_statuses(page.object_list)
    context = {"event": event, "page": page, "section": "log", "can_manage": True}
    return render(request, "registrations/manage/audit_log.html", context)
