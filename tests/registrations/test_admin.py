"""Admin: view-only frames, registrations (with log) and draws; questions through services;
the lottery seed hidden until the draw."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kaisai.registrations import services
from kaisai.registrations.enums import Method
from kaisai.registrations.models import LotteryDraw, Question
from kaisai.registrations.services.questions import create_question


@pytest.fixture
def filled(event, organizer, make_frame, people):
    frame = make_frame(capacity=1)
    lottery = make_frame(capacity=1, method=Method.LOTTERY, name="Lottery")
    question = create_question(event=event, by=organizer, label="Why?")
    registration = services.register(frame=frame, user=people(1)[0], answers={question.pk: "x"})
    services.cancel_registration(registration=registration, by=organizer, reason="duplicate")
    return frame, lottery, question, registration


@pytest.mark.parametrize("model", ["frame", "registration", "question", "lotterydraw"])
def test_admin_pages_render(admin_client, filled, model):
    frame, lottery, question, registration = filled
    obj = {
        "frame": frame,
        "registration": registration,
        "question": question,
        "lotterydraw": LotteryDraw.objects.get(frame=lottery),
    }[model]
    changelist = admin_client.get(reverse(f"admin:registrations_{model}_changelist"))
    assert changelist.status_code == 200
    change = admin_client.get(reverse(f"admin:registrations_{model}_change", args=[obj.pk]))
    assert change.status_code == 200
    if model == "registration":
        body = change.content.decode()
        assert "duplicate" in body  # the log inline


@pytest.mark.parametrize("model", ["frame", "registration", "lotterydraw"])
def test_admin_view_only_models_cannot_be_changed(admin_client, filled, model):
    frame, _lottery, _question, registration = filled
    obj = {"frame": frame, "registration": registration}.get(model) or LotteryDraw.objects.first()
    assert admin_client.get(reverse(f"admin:registrations_{model}_add")).status_code == 403
    response = admin_client.post(
        reverse(f"admin:registrations_{model}_change", args=[obj.pk]), {"capacity": 99}
    )
    assert response.status_code == 403
    frame.refresh_from_db()
    assert frame.capacity == 1


def test_admin_lottery_seed_hidden_until_drawn(admin_client, filled):
    _frame, lottery, _question, _registration = filled
    draw = LotteryDraw.objects.get(frame=lottery)
    url = reverse("admin:registrations_lotterydraw_change", args=[draw.pk])
    before = admin_client.get(url).content.decode()
    assert draw.commitment in before
    assert draw.seed not in before
    assert "hidden until the draw" in before
    services.draw_lottery(frame=lottery, force=True)
    assert draw.seed in admin_client.get(url).content.decode()


def test_admin_question_edit_goes_through_checks(admin_client, filled):
    _frame, _lottery, question, _registration = filled
    url = reverse("admin:registrations_question_change", args=[question.pk])
    data = {"label": "Why?", "kind": "single", "choices": "", "order": 0}
    refused = admin_client.post(url, data)
    assert refused.status_code == 200  # the form again, with errors
    question.refresh_from_db()
    assert question.kind == "text"
    # The question has an answer: its kind cannot change even with choices given.
    refused = admin_client.post(url, {**data, "choices": "a\nb"})
    assert "the kind cannot change" in refused.content.decode()
    ok = admin_client.post(url, {"label": "Why now?", "kind": "text", "choices": "", "order": 1})
    assert ok.status_code == 302
    question.refresh_from_db()
    assert (question.label, question.order) == ("Why now?", 1)


def test_admin_question_add(admin_client, event):
    response = admin_client.post(
        reverse("admin:registrations_question_add"),
        {
            "event": event.pk,
            "label": "Drink",
            "kind": "multiple",
            "choices": "Tea\nTea\nBeer",
            "order": 0,
        },
    )
    assert response.status_code == 302
    assert Question.objects.get().choice_list == ["Tea", "Beer"]
