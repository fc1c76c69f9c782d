"""Questionnaire services: create, update, delete."""

from __future__ import annotations

import pytest

from kaisai.registrations import services
from kaisai.registrations.errors import RegistrationError
from kaisai.registrations.models import Answer, Question
from kaisai.registrations.services.questions import (
    create_question,
    delete_question,
    update_question,
)


def test_create_question_text_drops_choices(event, organizer):
    question = create_question(event=event, by=organizer, label="Job", choices="a\nb")
    assert (question.kind, question.choices) == ("text", "")


def test_create_question_choice_kind_needs_choices(event, organizer):
    with pytest.raises(RegistrationError) as error:
        create_question(event=event, by=organizer, label="Drink", kind="single", choices="\n")
    assert "choices" in error.value.error_dict
    assert not Question.objects.exists()


def test_create_question_too_many_choices(event, organizer):
    choices = "\n".join(f"c{i}" for i in range(51))
    with pytest.raises(RegistrationError):
        create_question(event=event, by=organizer, label="Pick", kind="multiple", choices=choices)


def test_update_question_refuses_kind_change_once_answered(event, organizer, make_frame, people):
    question = create_question(event=event, by=organizer, label="Drink", kind="single",
                               choices="Beer\nTea")  # fmt: skip
    services.register(frame=make_frame(), user=people(1)[0], answers={question.pk: "Tea"})
    with pytest.raises(RegistrationError) as error:
        update_question(question=question, by=organizer, kind="text")
    assert error.value.reason == "answered"
    # Other changes are fine.
    updated = update_question(question=question, by=organizer, label="Drinks", choices="Tea\nBeer")
    assert (updated.label, updated.kind, updated.choice_list) == (
        "Drinks",
        "single",
        ["Tea", "Beer"],
    )


def test_update_question_bad_input_saves_nothing(event, organizer):
    question = create_question(event=event, by=organizer, label="Job")
    with pytest.raises(RegistrationError):
        update_question(question=question, by=organizer, label="", kind="single")
    question.refresh_from_db()
    assert (question.label, question.kind) == ("Job", "text")


def test_update_question_unknown_field(event, organizer):
    question = create_question(event=event, by=organizer, label="Job")
    with pytest.raises(ValueError):
        update_question(question=question, by=organizer, event_id=99)


def test_delete_question_deletes_answers(event, organizer, make_frame, people):
    question = create_question(event=event, by=organizer, label="Job")
    services.register(frame=make_frame(), user=people(1)[0], answers={question.pk: "dev"})
    delete_question(question=question, by=organizer)
    assert not Question.objects.exists()
    assert not Answer.objects.exists()
