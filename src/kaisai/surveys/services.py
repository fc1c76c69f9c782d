"""Writes of surveys (docs/survey.md): the organizer builds and schedules a survey, the
worker's periodic job `send_due_surveys` mails it once after the event to those who came, and
a person answers once through the personal link.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kaisai.accounts.models import User
from kaisai.core.outbox import queue_mail
from kaisai.events.enums import EventStatus
from kaisai.events.models import Event
from kaisai.notices.enums import MailKind
from kaisai.notices.optouts import opted_out_user_ids
from kaisai.registrations.errors import RegistrationError
from kaisai.registrations.models import Question
from kaisai.registrations.services.questionnaire import clean_answers
from kaisai.registrations.services.questions import MAX_CHOICES, normalise_choices
from kaisai.surveys import links, selectors
from kaisai.surveys.enums import RATINGS, SurveyKind
from kaisai.surveys.errors import SurveyError
from kaisai.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyRespondent,
    SurveyResponse,
    TalkFeedback,
)

TEMPLATE = "survey_request"
# Surveys go out as the organizers' mail: whoever stopped messages from a group's organizers
# gets no survey of that group either.
KIND = MailKind.ORGANIZER_MESSAGE
MAX_COMMENT = 2000


def _locked(survey: Survey) -> Survey:
    return Survey.objects.select_for_update().get(pk=survey.pk)


def _require_unsent(survey: Survey) -> None:
    if survey.sent_at is not None:
        raise SurveyError(_("The survey has been sent; it can no longer change."), code="sent")


def get_or_create_survey(*, event: Event) -> Survey:
    survey, _created = Survey.objects.get_or_create(event=event)
    return survey


def save_settings(*, survey: Survey, anonymous: bool, per_talk: bool) -> Survey:
    with transaction.atomic():
        current = _locked(survey)
        _require_unsent(current)
        if current.respondents.exists():
            raise SurveyError(_("People have answered; the survey can no longer change."))
        current.anonymous = anonymous
        current.per_talk = per_talk
        current.save(update_fields=["anonymous", "per_talk"])
    survey.anonymous, survey.per_talk = anonymous, per_talk
    return current


def add_question(
    *, survey: Survey, label: str, kind: str, choices: str = "", required: bool = False
) -> SurveyQuestion:
    """Add a question; SurveyError (by field, nothing saved) on bad input."""
    errors: dict[str, list[str]] = {}
    label = (label or "").strip()
    if not label:
        errors["label"] = [_("Enter the question.")]
    elif len(label) > 300:
        errors["label"] = [_("Ensure this value has at most 300 characters.")]
    if kind not in SurveyKind.values:
        errors["kind"] = [_("Choose a kind of question.")]
    choices = normalise_choices(choices) if kind in (SurveyKind.SINGLE, SurveyKind.MULTIPLE) else ""
    count = len(choices.splitlines()) if choices else 0
    if kind in (SurveyKind.SINGLE, SurveyKind.MULTIPLE):
        if count == 0:
            errors["choices"] = [_("Enter the choices, one per line.")]
        elif count > MAX_CHOICES:
            errors["choices"] = [_("Offer at most %(max)d choices.") % {"max": MAX_CHOICES}]
    if errors:
        raise SurveyError(errors, code="invalid_question")
    with transaction.atomic():
        current = _locked(survey)
        _require_unsent(current)
        order = current.questions.count() + 1
        return SurveyQuestion.objects.create(
            survey=current, label=label, kind=kind, choices=choices, required=required, order=order
        )


def delete_question(*, question: SurveyQuestion) -> None:
    with transaction.atomic():
        survey = _locked(question.survey)
        _require_unsent(survey)
        SurveyQuestion.objects.filter(pk=question.pk).delete()
        if not survey.questions.exists() and not survey.per_talk:
            Survey.objects.filter(pk=survey.pk).update(scheduled=False)


def has_questions(survey: Survey) -> bool:
    return survey.questions.exists() or bool(selectors.talks_asked(survey))


def schedule(*, survey: Survey, on: bool = True) -> Survey:
    """Switch sending after the event on (or off). A survey with no questions cannot be sent."""
    with transaction.atomic():
        current = _locked(survey)
        _require_unsent(current)
        if on and not has_questions(current):
            raise SurveyError(
                _("A survey with no questions cannot be sent. Add a question first."),
                code="no_questions",
            )
        current.scheduled = on
        current.save(update_fields=["scheduled"])
    survey.scheduled = on
    return current


# --- Sending (the worker) ----------------------------------------------------------------


def survey_key(survey_id: int, user_id: int) -> str:
    return f"survey-{survey_id}-{user_id}"


def send(survey: Survey, now: datetime) -> int:
    """Queue the survey to everyone who came and has not stopped organizers' mail, and mark
    it sent, in one transaction that holds the survey's row. Returns how many were queued."""
    event = survey.event
    user_ids = selectors.attendee_ids(event)
    skip = opted_out_user_ids(user_ids, kind=KIND, group=event.group)
    people = User.objects.filter(pk__in=[u for u in user_ids if u not in skip]).order_by("pk")
    count = 0
    for person in people:
        mail = queue_mail(
            key=survey_key(survey.pk, person.pk),
            user=person,
            template=TEMPLATE,
            context={
                "survey": survey,
                "event": event,
                "answer_url": links.answer_url(survey.pk, person.pk),
            },
            kind=KIND,
            group=event.group,
            batch=f"survey:{survey.pk}",
        )
        count += mail is not None
    survey.sent_at = now
    survey.sent_count = count
    survey.save(update_fields=["sent_at", "sent_count"])
    return count


def send_due_surveys(now: datetime | None = None) -> int:
    """Periodic job: send every scheduled survey whose event has ended, once. Each survey is
    locked (FOR UPDATE SKIP LOCKED) while it is sent, so several workers never send one
    twice; the mail keys are unique besides. Returns how many mails were queued."""
    now = now or timezone.now()
    count = 0
    due = Survey.objects.filter(
        scheduled=True,
        sent_at__isnull=True,
        event__ends_at__lte=now,
        event__status=EventStatus.PUBLISHED,
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            survey = (
                Survey.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("event__group")
                .filter(pk=pk, sent_at__isnull=True)
                .first()
            )
            if survey is None:
                continue
            count += send(survey, now)
    return count


# --- Answering ---------------------------------------------------------------------------


class AlreadyAnswered(SurveyError):
    def __init__(self) -> None:
        super().__init__(
            _("You have already answered this survey. Thank you!"), code="already_answered"
        )


def survey_for_token(token: str, now: datetime | None = None) -> tuple[Survey, Any]:
    """The survey and the person of a personal link. SurveyError: a bad link, someone who did
    not come, or a survey not open yet (before the event's end or not sent)."""
    try:
        survey_id, user_id = links.read_token(token)
    except links.LinkInvalid as error:
        raise SurveyError(_("This survey link is not valid."), code="invalid_link") from error
    survey = Survey.objects.select_related("event__group").filter(pk=survey_id).first()
    user = User.objects.filter(pk=user_id).first()
    if survey is None or user is None or not selectors.came(survey.event, user.pk):
        raise SurveyError(_("This survey link is not valid."), code="invalid_link")
    if (now or timezone.now()) < survey.event.ends_at or survey.sent_at is None:
        raise SurveyError(_("The survey opens after the event has ended."), code="not_open")
    return survey, user


def has_answered(survey: Survey, user) -> bool:
    return SurveyRespondent.objects.filter(survey=survey, user=user).exists()


def _clean_rating(raw: Any) -> int | None:
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return -1
    return value if value in RATINGS else -1


def clean(survey: Survey, answers: dict[str, Any], talks: dict[str, Any]) -> tuple[dict, dict]:
    """Validate everything at once: (question id → value, talk id → (rating, comment)).
    Choice and text questions are checked by the registration questionnaire's rules."""
    questions = selectors.questions_of(survey)
    answers = {str(key): value for key, value in (answers or {}).items()}
    errors: dict[str, list[str]] = {}
    cleaned: dict[int, Any] = {}
    ratings = [q for q in questions if q.kind == SurveyKind.RATING]
    others = [q for q in questions if q.kind != SurveyKind.RATING]
    for question in ratings:
        value = _clean_rating(answers.pop(str(question.pk), None))
        if value == -1:
            errors[f"q{question.pk}"] = [_("Choose a rating from 1 to 5.")]
        elif value is None and question.required:
            errors[f"q{question.pk}"] = [_("This question is required.")]
        else:
            cleaned[question.pk] = value if value is not None else ""
    try:
        cleaned.update(clean_answers(cast(list[Question], others), answers))
    except RegistrationError as error:
        errors.update(error.message_dict)
    feedback: dict[int, tuple[int | None, str]] = {}
    asked = {str(t.pk): t for t in selectors.talks_asked(survey)}
    talks = {str(key): value for key, value in (talks or {}).items()}
    for key in set(talks) - set(asked):
        errors["talks"] = [_("Unknown talk: %(id)s") % {"id": key}]
    for key, talk in asked.items():
        entry = talks.get(key) or {}
        rating = _clean_rating(entry.get("rating") if isinstance(entry, dict) else None)
        comment = str(entry.get("comment") or "").strip() if isinstance(entry, dict) else ""
        if rating == -1:
            errors[f"t{talk.pk}"] = [_("Choose a rating from 1 to 5.")]
        elif len(comment) > MAX_COMMENT:
            errors[f"t{talk.pk}"] = [_("Answer in at most 2000 characters.")]
        elif rating is not None or comment:
            feedback[talk.pk] = (rating, comment)
    if errors:
        raise SurveyError(errors, code="invalid_answers")
    return cleaned, feedback


def answer(
    *, survey: Survey, user, answers: dict[str, Any], talks: dict[str, Any] | None = None
) -> SurveyResponse:
    """Store one person's answers, once. Anonymous surveys store no person with the answers;
    the separate marker stops a second answer (AlreadyAnswered, nothing saved)."""
    survey = Survey.objects.select_related("event").get(pk=survey.pk)  # as it is now
    cleaned, feedback = clean(survey, answers, talks or {})
    try:
        with transaction.atomic():
            # The marker first: its unique constraint decides a race between two submits.
            SurveyRespondent.objects.create(survey=survey, user=user)
            response = SurveyResponse.objects.create(
                survey=survey, user=None if survey.anonymous else user
            )
            SurveyAnswer.objects.bulk_create(
                SurveyAnswer(response=response, question_id=pk, value=value)
                for pk, value in cleaned.items()
            )
            TalkFeedback.objects.bulk_create(
                TalkFeedback(response=response, talk_id=pk, rating=rating, comment=comment)
                for pk, (rating, comment) in feedback.items()
            )
    except IntegrityError as error:
        raise AlreadyAnswered from error
    return response
