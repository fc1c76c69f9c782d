"""Survey pages (docs/survey.md): the organizers' builder and results (with CSV), a
speaker's feedback on their own talk, and the answer page opened from the mail's personal link
(no login: the signed link is the authority; GET shows the form, POST stores the answers)."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaisai.surveys import access, selectors, services
from kaisai.surveys.enums import SurveyKind
from kaisai.surveys.errors import SurveyError
from kaisai.surveys.forms import QuestionForm, SettingsForm
from kaisai.surveys.models import Survey, SurveyQuestion

NO_ROBOTS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


def _error_text(error: SurveyError) -> str:
    return " ".join(error.messages)


def _manage_context(event, survey, question_form=None):
    return {
        "event": event,
        "survey": survey,
        "questions": selectors.questions_of(survey),
        "talks": selectors.talks_asked(survey),
        "settings_form": SettingsForm(
            initial={"anonymous": survey.anonymous, "per_talk": survey.per_talk}
        ),
        "question_form": question_form or QuestionForm(),
    }


@login_required
def manage(request: HttpRequest, pk: int) -> HttpResponse:
    event = access.managed_survey_event_or_403(request.user, pk)
    survey = selectors.survey_of(event)
    if survey is None:
        # An unsaved survey with the defaults: nothing is written on GET.
        survey = Survey(event=event)
    return render(request, "surveys/manage.html", _manage_context(event, survey))


@login_required
@require_POST
def save_settings(request: HttpRequest, pk: int) -> HttpResponse:
    event = access.managed_survey_event_or_403(request.user, pk)
    form = SettingsForm(request.POST)
    if form.is_valid():
        try:
            services.save_settings(
                survey=services.get_or_create_survey(event=event), **form.cleaned_data
            )
            messages.success(request, _("Survey settings saved."))
        except SurveyError as error:
            messages.error(request, _error_text(error))
    return redirect("surveys:manage", pk=event.pk)


@login_required
@require_POST
def add_question(request: HttpRequest, pk: int) -> HttpResponse:
    event = access.managed_survey_event_or_403(request.user, pk)
    form = QuestionForm(request.POST)
    survey = services.get_or_create_survey(event=event)
    if form.is_valid():
        try:
            services.add_question(survey=survey, **form.cleaned_data)
        except SurveyError as error:
            if hasattr(error, "error_dict"):
                for name, problems in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, problems)
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(request, _("Question added."))
            return redirect("surveys:manage", pk=event.pk)
    context = _manage_context(event, survey, question_form=form)
    return render(request, "surveys/manage.html", context, status=422)


@login_required
@require_POST
def delete_question(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    event = access.managed_survey_event_or_403(request.user, pk)
    question = SurveyQuestion.objects.filter(pk=question_id, survey__event=event).first()
    if question is None:
        raise Http404
    try:
        services.delete_question(question=question)
        messages.success(request, _("Question deleted."))
    except SurveyError as error:
        messages.error(request, _error_text(error))
    return redirect("surveys:manage", pk=event.pk)


@login_required
@require_POST
def schedule(request: HttpRequest, pk: int) -> HttpResponse:
    event = access.managed_survey_event_or_403(request.user, pk)
    on = request.POST.get("on") == "1"
    try:
        services.schedule(survey=services.get_or_create_survey(event=event), on=on)
    except SurveyError as error:
        messages.error(request, _error_text(error))
    else:
        if on:
            messages.success(
                request, _("The survey will be sent to those who came after the event ends.")
            )
        else:
            messages.success(request, _("The survey will not be sent."))
    return redirect("surveys:manage", pk=event.pk)


@login_required
def results(request: HttpRequest, pk: int) -> HttpResponse:
    event = access.managed_survey_event_or_403(request.user, pk)
    survey = selectors.survey_of(event)
    if survey is None:
        return redirect("surveys:manage", pk=event.pk)
    return render(
        request,
        "surveys/results.html",
        {"event": event, "survey": survey, "results": selectors.results(survey)},
    )


@login_required
def results_csv(request: HttpRequest, pk: int) -> HttpResponse:
    event = access.managed_survey_event_or_403(request.user, pk)
    survey = selectors.survey_of(event)
    if survey is None:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-{event.pk}.csv"'
    response.write("\ufeff")  # so that spreadsheet programs read UTF-8
    writer = csv.writer(response)
    for row in selectors.csv_rows(survey):
        # A cell starting with = + - @ is not run as a formula by spreadsheet programs.
        writer.writerow(["'" + c if c[:1] in ("=", "+", "-", "@") else c for c in row])
    return response


@login_required
def talk_feedback(request: HttpRequest, talk_id: int) -> HttpResponse:
    talk = access.talk_feedback_or_403(request.user, talk_id)
    return render(
        request,
        "surveys/talk_feedback.html",
        {"talk": talk, "event": talk.event, "result": selectors.talk_feedback(talk)},
    )


def _no_robots(response: HttpResponse) -> HttpResponse:
    for name, value in NO_ROBOTS.items():
        response[name] = value
    return response


def answer(request: HttpRequest, token: str) -> HttpResponse:
    try:
        survey, person = services.survey_for_token(token)
    except SurveyError as error:
        status = 409 if error.reason == "not_open" else 400
        page = render(request, "surveys/link_problem.html", {"error": error}, status=status)
        return _no_robots(page)
    context: dict[str, object] = {
        "survey": survey,
        "event": survey.event,
        "questions": selectors.questions_of(survey),
        "talks": selectors.talks_asked(survey),
        "errors": {},
        "posted": {},
    }
    if services.has_answered(survey, person):
        return _no_robots(render(request, "surveys/answered.html", context))
    if request.method == "POST":
        questions = context["questions"]
        answers = {
            str(q.pk): (
                request.POST.getlist(f"q{q.pk}")
                if q.kind == SurveyKind.MULTIPLE
                else request.POST.get(f"q{q.pk}", "")
            )
            for q in questions  # type: ignore[attr-defined]
        }
        talks = {
            t.pk: {
                "rating": request.POST.get(f"t{t.pk}-rating", ""),
                "comment": request.POST.get(f"t{t.pk}-comment", ""),
            }
            for t in context["talks"]  # type: ignore[attr-defined]
        }
        try:
            services.answer(survey=survey, user=person, answers=answers, talks=talks)
        except services.AlreadyAnswered:
            return _no_robots(render(request, "surveys/answered.html", context))
        except SurveyError as error:
            context["errors"] = error.message_dict if hasattr(error, "error_dict") else {}
            context["posted"] = request.POST
            page = render(request, "surveys/answer.html", context, status=422)
            return _no_robots(page)
        context["thanks"] = True
        return _no_robots(render(request, "surveys/answered.html", context))
    return _no_robots(render(request, "surveys/answer.html", context))
