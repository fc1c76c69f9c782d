"""The questionnaire (アンケート) an event asks on registration: organizers' writes.

Answers are validated against the questions in `questionnaire.clean_answers`; here the
questions themselves are kept valid: a label, a known kind, and at least one choice for the
choice kinds. Once someone has answered, the kind of a question cannot change (old answers
would no longer fit it); add a new question instead.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kaisai.accounts.models import User
from kaisai.events.models import Event
from kaisai.registrations.enums import QuestionKind
from kaisai.registrations.errors import RegistrationError
from kaisai.registrations.models import Answer, Question

EDITABLE = ("label", "kind", "choices", "required", "order")
MAX_CHOICES = 50


def normalise_choices(text: str) -> str:
    """One choice per line: stripped, empty lines and repeats dropped, order kept."""
    seen: list[str] = []
    for line in (text or "").splitlines():
        choice = line.strip()
        if choice and choice not in seen:
            seen.append(choice)
    return "\n".join(seen)


def validate_question(question: Question) -> None:
    """Normalise the question in place; raise RegistrationError (by field) if invalid."""
    errors: dict[str, list[str]] = {}
    question.label = (question.label or "").strip()
    if not question.label:
        errors["label"] = [_("Enter the question.")]
    if question.kind not in QuestionKind.values:
        errors["kind"] = [_("Choose a kind of question.")]
    if question.kind == QuestionKind.TEXT:
        question.choices = ""
    else:
        question.choices = normalise_choices(question.choices)
        count = len(question.choice_list)
        if count == 0:
            errors["choices"] = [_("Enter the choices, one per line.")]
        elif count > MAX_CHOICES:
            errors["choices"] = [_("Offer at most %(max)d choices.") % {"max": MAX_CHOICES}]
    if errors:
        raise RegistrationError(errors, code="invalid_question")


def create_question(
    *,
    event: Event,
    by,
    label: str,
    kind: str = QuestionKind.TEXT,
    choices: str = "",
    required: bool = False,
    order: int = 0,
) -> Question:
    question = Question(
        event=event, label=label, kind=kind, choices=choices, required=required, order=order
    )
    validate_question(question)
    with transaction.atomic():
        question.save()
    return question


def update_question(*, question: Question, by: User, **fields: Any) -> Question:
    """Change a question. Raises RegistrationError (nothing saved) on bad input."""
    for name in fields:
        if name not in EDITABLE:
            raise ValueError(name)
    current = Question.objects.get(pk=question.pk)
    if (
        "kind" in fields
        and fields["kind"] != current.kind
        and Answer.objects.filter(question=current).exists()
    ):
        raise RegistrationError(
            {"kind": [_("People have answered; the kind cannot change. Add a new question.")]},
            code="answered",
        )
    for name, value in fields.items():
        setattr(current, name, value)
    validate_question(current)
    with transaction.atomic():
        current.save(update_fields=list(EDITABLE))
    return current


def delete_question(*, question: Question, by: User) -> None:
    """Delete a question and its answers."""
    with transaction.atomic():
        Question.objects.filter(pk=question.pk).delete()
