"""Issue 14, item 8: a client of API v1 learns an event's questionnaire from `get_event` and
registers with its answers; a missing answer's 422 names the question."""

from __future__ import annotations

import pytest
from django.test import Client

from kaisai.registrations import services
from kaisai.registrations.enums import QuestionKind
from kaisai.registrations.models import Answer, Question, Registration
from tests.factories import EventFactory


@pytest.fixture
def event(group):
    return EventFactory(group=group)


@pytest.fixture
def frame(event, organizer):
    return services.create_frame(event=event, by=organizer, capacity=5, name="General")


@pytest.fixture
def questions(event):
    job = Question.objects.create(
        event=event, label="Job", kind=QuestionKind.SINGLE, choices="Engineer\nStudent",
        required=True, order=1,
    )  # fmt: skip
    topics = Question.objects.create(
        event=event, label="Topics", kind=QuestionKind.MULTIPLE, choices="ML\nWeb\nDB", order=2
    )
    note = Question.objects.create(event=event, label="Anything else?", order=3)
    return job, topics, note


def test_get_event_lists_the_questionnaire(api_as, event, frame, questions):
    job, topics, note = questions
    body = api_as().get(f"/api/v1/events/{event.pk}/").json()
    assert body["questions"] == [
        {"id": job.pk, "text": "Job", "kind": "single", "kind_label": "Single choice",
         "choices": ["Engineer", "Student"], "required": True},
        {"id": topics.pk, "text": "Topics", "kind": "multiple", "kind_label": "Multiple choice",
         "choices": ["ML", "Web", "DB"], "required": False},
        {"id": note.pk, "text": "Anything else?", "kind": "text", "kind_label": "Text",
         "choices": [], "required": False},
    ]  # fmt: skip


def test_kind_label_is_in_the_callers_language(event, frame, questions):
    body = Client().get(f"/api/v1/events/{event.pk}/", HTTP_ACCEPT_LANGUAGE="ja").json()
    assert body["questions"][0]["kind_label"] == "単一選択"


def test_an_event_without_questions_says_so(api_as, event, frame):
    assert api_as().get(f"/api/v1/events/{event.pk}/").json()["questions"] == []


def test_a_client_registers_with_the_answers_it_read(api_as, event, frame, questions, user):
    api = api_as(user)
    described = api.get(f"/api/v1/events/{event.pk}/").json()["questions"]
    missing = api.post("/api/v1/registrations/", {"frame_id": frame.pk})
    assert missing.status_code == 422
    body = missing.json()
    assert body["reason"] == "invalid_answers"
    job_id = described[0]["id"]
    assert body["errors"] == {f"q{job_id}": ["This question is required."]}
    assert body["detail"] == f"Question {job_id} “Job”: This question is required."
    assert not Registration.objects.exists()

    answers = {
        str(q["id"]): (q["choices"][:2] if q["kind"] == "multiple" else
                       q["choices"][1] if q["kind"] == "single" else "Hello")
        for q in described
    }  # fmt: skip
    ok = api.post("/api/v1/registrations/", {"frame_id": frame.pk, "answers": answers})
    assert ok.status_code == 201
    stored = {a.question.label: a.value for a in Answer.objects.select_related("question")}
    assert stored == {"Job": "Student", "Topics": ["ML", "Web"], "Anything else?": "Hello"}
