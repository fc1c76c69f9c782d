"""Organizer pages for frames and the questionnaire."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaisai.registrations import services
from kaisai.registrations.enums import Method, Status
from kaisai.registrations.models import Answer, Frame, LotteryDraw, Question, Registration
from kaisai.registrations.services.questions import create_question
from tests.conftest import login
from tests.factories import EventFactory
from tests.registrations.manage_helpers import frame_data, messages_of, question_data, snapshot


@pytest.fixture
def event(group):
    """Friday 2030-05-17 19:30 in Tokyo (10:30 UTC)."""
    return EventFactory(
        group=group,
        starts_at=datetime(2030, 5, 17, 10, 30, tzinfo=UTC),
        ends_at=datetime(2030, 5, 17, 13, 0, tzinfo=UTC),
        time_zone="Asia/Tokyo",
    )


def frames_url(event) -> str:
    return reverse("registrations:frames", kwargs={"pk": event.pk})


def edit_url(frame) -> str:
    return reverse("registrations:frame_edit", kwargs={"pk": frame.event_id, "frame_id": frame.pk})


def questions_url(event, **params) -> str:
    url = reverse("registrations:questions", kwargs={"pk": event.pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def delete_url(question) -> str:
    return reverse(
        "registrations:question_delete",
        kwargs={"pk": question.event_id, "question_id": question.pk},
    )


# --- frames -------------------------------------------------------------------------------


def test_frames_page_shows_counts_and_commitment(client, organizer, event, make_frame, people):
    general = make_frame(capacity=1)
    lottery = make_frame(capacity=5, method=Method.LOTTERY, name="Lottery")
    for person in people(3):
        services.register(frame=general, user=person)
    services.register(frame=lottery, user=people(1, "l")[0])
    login(client, organizer)
    response = client.get(frames_url(event))
    assert response.status_code == 200
    shown = {f.pk: (f.n_accepted, f.n_waitlisted, f.n_applied) for f in response.context["frames"]}
    assert shown == {general.pk: (1, 2, 0), lottery.pk: (0, 0, 1)}
    body = response.content.decode()
    draw = LotteryDraw.objects.get(frame=lottery)
    assert draw.commitment in body
    assert draw.seed not in body
    assert "not drawn yet" in body


def test_frame_create_stores_event_local_times_in_utc(client, organizer, event):
    login(client, organizer)
    response = client.post(
        frames_url(event),
        frame_data(
            name="一般枠",
            capacity=100,
            method="lottery",
            lottery_at="2030-05-10T12:00",
            opens_at="2030-05-01T10:00",
            closes_at="2030-05-17T17:00",
            fee=500,
        ),
    )
    assert response.status_code == 302
    assert messages_of(response)[0][0] == "success"
    frame = Frame.objects.get(event=event)
    assert (frame.name, frame.capacity, frame.method, frame.fee) == ("一般枠", 100, "lottery", 500)
    assert frame.lottery_at == datetime(2030, 5, 10, 3, 0, tzinfo=UTC)
    assert frame.opens_at == datetime(2030, 5, 1, 1, 0, tzinfo=UTC)
    assert frame.closes_at == datetime(2030, 5, 17, 8, 0, tzinfo=UTC)
    assert LotteryDraw.objects.filter(frame=frame).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"method": "lottery"}, "lottery_at", "A lottery frame needs a lottery time."),
        (
            {"opens_at": "2030-05-02T10:00", "closes_at": "2030-05-01T10:00"},
            "closes_at",
            "Registration must close after it opens.",
        ),
        ({"capacity": "-1"}, "capacity", None),
        ({"name": ""}, "name", None),
        ({"method": "raffle"}, "method", None),
        ({"opens_at": "tomorrow"}, "opens_at", None),
    ],
)
def test_frame_create_bad_input_saves_nothing(client, organizer, event, overrides, field, message):
    login(client, organizer)
    before = snapshot()
    response = client.post(frames_url(event), frame_data(**overrides))
    assert response.status_code == 400
    assert snapshot() == before
    errors = response.context["form"].errors
    assert field in errors
    if message:
        assert errors[field] == [message]
    assert "Nothing has been saved." in response.content.decode()


def test_frames_page_query_count_does_not_grow_with_frames(client, organizer, event, make_frame):
    login(client, organizer)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(frames_url(event)).status_code == 200
        return len(queries)

    for index in range(2):
        make_frame(name=f"F{index}", method=Method.LOTTERY if index else Method.FIRST_COME)
    few = count_queries()
    for index in range(10):
        make_frame(name=f"G{index}", method=Method.LOTTERY if index % 2 else Method.APPROVAL)
    assert count_queries() == few


def test_frame_edit_shows_times_in_event_zone(client, organizer, event, make_frame):
    frame = make_frame(opens_at=datetime(2030, 5, 1, 1, 0, tzinfo=UTC))
    login(client, organizer)
    response = client.get(edit_url(frame))
    assert response.status_code == 200
    assert 'value="2030-05-01T10:00"' in response.content.decode()


def test_frame_edit_saves_changes(client, organizer, event, make_frame):
    frame = make_frame(capacity=10)
    login(client, organizer)
    response = client.post(
        edit_url(frame),
        frame_data(name="Students", capacity=10, fee=0, promotion_cutoff="2030-05-17T12:00"),
    )
    assert response.status_code == 302
    frame.refresh_from_db()
    assert frame.name == "Students"
    assert frame.promotion_cutoff == datetime(2030, 5, 17, 3, 0, tzinfo=UTC)


def test_frame_edit_capacity_increase_promotes_waitlist(client, organizer, make_frame, people):
    frame = make_frame(capacity=1)
    first, second, third = (services.register(frame=frame, user=p) for p in people(3))
    login(client, organizer)
    client.post(edit_url(frame), frame_data(name=frame.name, capacity=2))
    statuses = dict(Registration.objects.values_list("pk", "status"))
    assert statuses == {
        first.pk: Status.ACCEPTED,
        second.pk: Status.ACCEPTED,
        third.pk: Status.WAITLISTED,
    }
    frame.refresh_from_db()
    assert (frame.capacity, frame.accepted_count) == (2, 2)


def test_frame_edit_capacity_decrease_demotes_nobody(client, organizer, make_frame, people):
    frame = make_frame(capacity=3)
    for person in people(3):
        services.register(frame=frame, user=person)
    login(client, organizer)
    client.post(edit_url(frame), frame_data(name=frame.name, capacity=1))
    frame.refresh_from_db()
    assert frame.capacity == 1
    assert Registration.objects.filter(status=Status.ACCEPTED).count() == 3


def test_frame_edit_bad_input_saves_nothing(client, organizer, make_frame):
    frame = make_frame(capacity=5, name="General")
    login(client, organizer)
    before = snapshot()
    response = client.post(
        edit_url(frame),
        frame_data(
            name="Renamed",
            capacity=50,
            opens_at="2030-05-02T10:00",
            closes_at="2030-05-01T10:00",
        ),
    )
    assert response.status_code == 400
    assert snapshot() == before
    assert response.context["form"].errors["closes_at"]
    body = response.content.decode()
    assert "Edit frame “General”" in body  # the page title is not the refused name


def test_frame_edit_method_fixed_once_people_registered(client, organizer, make_frame, people):
    frame = make_frame(capacity=5)
    services.register(frame=frame, user=people(1)[0])
    login(client, organizer)
    page = client.get(edit_url(frame)).content.decode()
    assert "the method is fixed" in page
    client.post(edit_url(frame), frame_data(name="General", capacity=5, method="approval"))
    frame.refresh_from_db()
    assert frame.method == Method.FIRST_COME


def test_frame_edit_unchanged_lottery_keeps_commitment(client, organizer, make_frame):
    frame = make_frame(capacity=5, method=Method.LOTTERY)
    commitment = LotteryDraw.objects.get(frame=frame).commitment
    local = frame.lottery_at.astimezone(frame.event.tz).strftime("%Y-%m-%dT%H:%M")
    login(client, organizer)
    response = client.post(
        edit_url(frame), frame_data(name="General", capacity=8, method="lottery", lottery_at=local)
    )
    assert response.status_code == 302
    assert LotteryDraw.objects.get(frame=frame).commitment == commitment
    frame.refresh_from_db()
    assert frame.capacity == 8


# --- questionnaire ------------------------------------------------------------------------


def test_question_create_text(client, organizer, event):
    login(client, organizer)
    response = client.post(
        questions_url(event), question_data(label="  Your job?  ", required="on")
    )
    question = Question.objects.get(event=event)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#question-{question.pk}")
    assert (question.label, question.kind, question.required) == ("Your job?", "text", True)


def test_question_create_choices_normalised(client, organizer, event):
    login(client, organizer)
    client.post(
        questions_url(event),
        question_data(label="Drink?", kind="single", choices="Beer\n\n  Tea \nBeer\r\nWater"),
    )
    question = Question.objects.get(event=event)
    assert question.choice_list == ["Beer", "Tea", "Water"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "single", "choices": " \n "}, "choices"),
        ({"kind": "multiple", "choices": ""}, "choices"),
        ({"label": "   "}, "label"),
        ({"kind": "essay"}, "kind"),
    ],
)
def test_question_create_bad_input_saves_nothing(client, organizer, event, overrides, field):
    login(client, organizer)
    response = client.post(questions_url(event), question_data(**overrides))
    assert response.status_code == 400
    assert not Question.objects.exists()
    assert field in response.context["form"].errors


def test_question_edit_form_prefilled(client, organizer, event):
    question = create_question(
        event=event, by=organizer, label="Drink?", kind="single", choices="Beer\nTea"
    )
    login(client, organizer)
    response = client.get(questions_url(event, edit=question.pk))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'name="question_id" value="{question.pk}"' in body
    assert "Beer\nTea</textarea>" in body


def test_question_edit_saves(client, organizer, event):
    question = create_question(event=event, by=organizer, label="Drink?")
    login(client, organizer)
    client.post(
        questions_url(event),
        question_data(
            question_id=question.pk, label="Drinks?", kind="multiple", choices="Beer\nTea", order=3
        ),
    )
    question.refresh_from_db()
    assert (question.label, question.kind, question.choice_list, question.order) == (
        "Drinks?",
        "multiple",
        ["Beer", "Tea"],
        3,
    )
    assert Question.objects.count() == 1


def test_question_edit_kind_refused_once_answered(client, organizer, event, make_frame, people):
    question = create_question(event=event, by=organizer, label="Drink?", kind="single",
                               choices="Beer\nTea")  # fmt: skip
    services.register(frame=make_frame(), user=people(1)[0], answers={question.pk: "Tea"})
    login(client, organizer)
    before = snapshot()
    response = client.post(
        questions_url(event),
        question_data(question_id=question.pk, label="Drink?", kind="text"),
    )
    assert response.status_code == 400
    assert snapshot() == before
    assert "kind" in response.context["form"].errors


def test_question_delete_removes_answers(client, organizer, event, make_frame, people):
    question = create_question(event=event, by=organizer, label="Why?")
    kept = create_question(event=event, by=organizer, label="Kept")
    registration = services.register(
        frame=make_frame(), user=people(1)[0], answers={question.pk: "x", kept.pk: "y"}
    )
    login(client, organizer)
    response = client.post(delete_url(question))
    assert response.status_code == 302
    assert list(Question.objects.values_list("pk", flat=True)) == [kept.pk]
    assert list(Answer.objects.values_list("question_id", flat=True)) == [kept.pk]
    assert Registration.objects.filter(pk=registration.pk).exists()


def test_question_delete_get_not_allowed(client, organizer, event):
    question = create_question(event=event, by=organizer, label="Why?")
    login(client, organizer)
    assert client.get(delete_url(question)).status_code == 405
    assert Question.objects.filter(pk=question.pk).exists()


def test_question_of_another_event_404(client, organizer, event, group):
    foreign = create_question(event=EventFactory(group=group), by=organizer, label="Other")
    login(client, organizer)
    before = snapshot()
    assert client.get(questions_url(event, edit=foreign.pk)).status_code == 404
    assert client.get(questions_url(event, edit="x")).status_code == 404
    response = client.post(questions_url(event), question_data(question_id=foreign.pk))
    assert response.status_code == 404
    wrong = reverse(
        "registrations:question_delete", kwargs={"pk": event.pk, "question_id": foreign.pk}
    )
    assert client.post(wrong).status_code == 404
    assert snapshot() == before


def test_questions_page_query_count_does_not_grow(client, organizer, event):
    login(client, organizer)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(questions_url(event)).status_code == 200
        return len(queries)

    for index in range(2):
        create_question(event=event, by=organizer, label=f"Q{index}")
    few = count_queries()
    for index in range(10):
        create_question(event=event, by=organizer, label=f"R{index}", kind="single", choices="a")
    assert count_queries() == few
