"""Organizer pages for an event's frames (参加枠) and questionnaire (アンケート)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaisai.accounts.requests import signed_in_user
from kaisai.events.access import managed_event_or_403
from kaisai.registrations import selectors, services
from kaisai.registrations.errors import RegistrationError
from kaisai.registrations.forms_organizer import FrameForm, QuestionForm, show_service_error
from kaisai.registrations.models import Frame, Question
from kaisai.registrations.services import questions as question_services


def _posted(request: HttpRequest):
    return request.POST if request.method == "POST" else None


@login_required
def frames(request: HttpRequest, pk: int) -> HttpResponse:
    """The event's frames with their counts, and a form to add one."""
    event = managed_event_or_403(request.user, pk)
    form = FrameForm(_posted(request), event=event)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            capacity, fields = form.capacity_and_fields()
            try:
                frame = services.create_frame(
                    event=event, by=signed_in_user(request), capacity=capacity, **fields
                )
            except RegistrationError as exc:
                show_service_error(form, exc)
            else:
                messages.success(request, _("Frame “%(name)s” created.") % {"name": frame.name})
                return redirect("registrations:frames", pk=event.pk)
    context = {
        "event": event,
        "frames": list(selectors.frames_with_counts(event)),
        "form": form,
        "section": "frames",
        "can_manage": True,
    }
    return render(request, "registrations/manage/frames.html", context, status=status)


@login_required
def frame_edit(request: HttpRequest, pk: int, frame_id: int) -> HttpResponse:
    event = managed_event_or_403(request.user, pk)
    frame = get_object_or_404(selectors.frames_with_counts(event), pk=frame_id)
    form = FrameForm(_posted(request), event=event, frame=frame)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            capacity, fields = form.capacity_and_fields()
            try:
                # The service works on its own copy: a refused change leaves the page as it was.
                services.update_frame(
                    frame=Frame.objects.get(pk=frame.pk),
                    by=signed_in_user(request),
                    capacity=capacity,
                    **fields,
                )
            except RegistrationError as exc:
                show_service_error(form, exc)
            else:
                messages.success(request, _("Frame “%(name)s” saved.") % {"name": frame.name})
                return redirect("registrations:frames", pk=event.pk)
    context = {
        "event": event,
        "frame": frame,
        "form": form,
        "section": "frames",
        "can_manage": True,
    }
    return render(request, "registrations/manage/frame_edit.html", context, status=status)


@login_required
def questions(request: HttpRequest, pk: int) -> HttpResponse:
    """List the questionnaire; add a question, or edit one (`?edit=<id>`, or POST
    `question_id`)."""
    event = managed_event_or_403(request.user, pk)
    event_questions = Question.objects.filter(event=event).annotate(n_answers=Count("answers"))
    editing_id = request.POST.get("question_id") or request.GET.get("edit")
    editing = None
    if editing_id:
        if not str(editing_id).isdigit():
            raise Http404
        editing = get_object_or_404(Question, pk=int(editing_id), event=event)
    form = QuestionForm(_posted(request), question=editing)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                if editing is None:
                    question = question_services.create_question(
                        event=event, by=signed_in_user(request), **form.question_fields()
                    )
                    done = _("Question added.")
                else:
                    question = question_services.update_question(
                        question=editing, by=signed_in_user(request), **form.question_fields()
                    )
                    done = _("Question saved.")
            except RegistrationError as exc:
                show_service_error(form, exc)
            else:
                messages.success(request, done)
                url = reverse("registrations:questions", kwargs={"pk": event.pk})
                return redirect(f"{url}#question-{question.pk}")
    context = {
        "event": event,
        "questions": list(event_questions),
        "form": form,
        "editing": editing,
        "section": "questions",
        "can_manage": True,
    }
    return render(request, "registrations/manage/questions.html", context, status=status)


@login_required
@require_POST
def question_delete(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    event = managed_event_or_403(request.user, pk)
    question = get_object_or_404(Question, pk=question_id, event=event)
    question_services.delete_question(question=question, by=signed_in_user(request))
    messages.success(request, _("Question “%(label)s” deleted.") % {"label": question.label})
    return redirect("registrations:questions", pk=event.pk)
