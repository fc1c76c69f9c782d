"""Answers to an event's questionnaire: validated before any lock is taken."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from kaisai.registrations.enums import QuestionKind
from kaisai.registrations.errors import RegistrationError
from kaisai.registrations.models import Question


def clean_answers(questions: list[Question], answers: dict[Any, Any] | None) -> dict[int, Any]:
    """Map question id → clean value; raise RegistrationError with every problem at once."""
    answers = {str(key): value for key, value in (answers or {}).items()}
    known = {str(question.pk) for question in questions}
    unknown = set(answers) - known
    errors: dict[str, list[str]] = {}
    if unknown:
        errors["answers"] = [_("Unknown question: %(ids)s") % {"ids": ", ".join(sorted(unknown))}]
    cleaned: dict[int, Any] = {}
    for question in questions:
        raw = answers.get(str(question.pk))
        field = f"q{question.pk}"
        if question.kind == QuestionKind.MULTIPLE:
            values = raw if isinstance(raw, list) else ([] if raw in (None, "") else [raw])
            values = [str(value) for value in values]
            if any(value not in question.choice_list for value in values):
                errors[field] = [_("Choose from the given options.")]
            elif question.required and not values:
                errors[field] = [_("This question is required.")]
            else:
                cleaned[question.pk] = values
            continue
        value = "" if raw is None else str(raw).strip()
        if len(value) > 2000:
            errors[field] = [_("Answer in at most 2000 characters.")]
        elif question.kind == QuestionKind.SINGLE and value and value not in question.choice_list:
            errors[field] = [_("Choose from the given options.")]
        elif question.required and not value:
            errors[field] = [_("This question is required.")]
        else:
            cleaned[question.pk] = value
    if errors:
        error = RegistrationError(errors, code="invalid_answers")
        # Callers without the form (the API) name each question in their message.
        error.questions = {f"q{question.pk}": question.label for question in questions}
        raise error
    return cleaned
