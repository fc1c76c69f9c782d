"""Registering for an event: the four outcomes, and bad input that saves nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from kaisai.events.enums import EventStatus
from kaisai.registrations import services
from kaisai.registrations.enums import Method, QuestionKind, Status
from kaisai.registrations.models import Answer, LotteryDraw, Question, Registration
from tests.conftest import login
from tests.factories import EventFactory
from tests.registrations.participant_helpers import event_page, messages_of, url


def post_register(client, event, frame, **data):
    return client.post(url("register", event), {"frame": frame.pk, **data}, follow=True)


@pytest.fixture
def question(event):
    return Question.objects.create(event=event, label="How did you hear of us?", required=True)


@pytest.fixture
def choice_question(event):
    return Question.objects.create(
        event=event,
        label="Which track?",
        kind=QuestionKind.SINGLE,
        choices="Beginner\nAdvanced",
        required=True,
        order=1,
    )


# --- register: the four outcomes -------------------------------------------------------------


def test_register_first_come_is_accepted(client, event, make_frame, user):
    frame = make_frame(capacity=5)
    login(client, user)
    page = client.get(url("register", event), {"frame": frame.pk})
    assert page.status_code == 200
    assert f'value="{frame.pk}" id="frame-choice-{frame.pk}"\n          checked' in (
        page.content.decode()
    )
    response = post_register(client, event, frame)
    assert response.redirect_chain[-1][0] == url("mine", event)
    registration = Registration.objects.get(user=user)
    assert registration.status == Status.ACCEPTED
    assert any("You have a seat" in message for message in messages_of(response))
    assert "badge status-accepted" in response.content.decode()


def test_register_full_frame_waitlists_with_position(client, event, make_frame, people):
    frame = make_frame(capacity=1)
    first, second, third = people(3)
    for person in (first, second):
        services.register(frame=frame, user=person)
    login(client, third)
    response = post_register(client, event, frame)
    assert Registration.objects.get(user=third).status == Status.WAITLISTED
    assert any("number 2 on its waitlist" in m for m in messages_of(response))
    html = response.content.decode()
    assert "Waitlisted: number 2" in html


def test_register_lottery_applies_and_shows_commitment(client, event, make_frame, user):
    lottery_at = datetime(2030, 5, 10, 3, 0, tzinfo=UTC)  # 12:00 in Tokyo
    event.time_zone = "Asia/Tokyo"
    # a week after the lottery (a lottery years after its event is out of bounds)
    event.starts_at = datetime(2030, 5, 17, 10, 30, tzinfo=UTC)
    event.ends_at = datetime(2030, 5, 17, 13, 0, tzinfo=UTC)
    event.save()
    frame = make_frame(capacity=2, method=Method.LOTTERY, lottery_at=lottery_at)
    login(client, user)
    response = post_register(client, event, frame)
    assert Registration.objects.get(user=user).status == Status.APPLIED
    assert any(
        "applied for the lottery" in m and "2030-05-10 (Fri) 12:00" in m
        for m in messages_of(response)
    )
    commitment = LotteryDraw.objects.get(frame=frame).commitment
    html = event_page(client, event)
    assert f'<code class="hash">{commitment}</code>' in html
    assert "applicants 1 / 2 seats" in html
    assert url("lottery", event, frame_id=frame.pk) in html


def test_register_approval_awaits_decision(client, event, make_frame, user):
    frame = make_frame(capacity=2, method=Method.APPROVAL)
    login(client, user)
    response = post_register(client, event, frame)
    assert Registration.objects.get(user=user).status == Status.APPLIED
    assert any("organizers review" in m for m in messages_of(response))
    assert "Awaiting approval" in response.content.decode()


def test_register_saves_answers_and_afterparty(client, event, make_frame, user, question):
    event.afterparty_place = "Same floor"
    event.save()
    multi = Question.objects.create(
        event=event, label="Topics", kind=QuestionKind.MULTIPLE, choices="NLP\nVision\nRL"
    )
    frame = make_frame(capacity=5)
    login(client, user)
    form = client.get(url("register", event)).content.decode()
    assert "How did you hear of us?" in form and "(required)" in form
    assert 'name="afterparty"' in form
    post_register(
        client,
        event,
        frame,
        **{f"q{question.pk}": "A friend", f"q{multi.pk}": ["NLP", "RL"], "afterparty": "on"},
    )
    registration = Registration.objects.get(user=user)
    assert registration.afterparty is True
    answers = dict(Answer.objects.values_list("question_id", "value"))
    assert answers == {question.pk: "A friend", multi.pk: ["NLP", "RL"]}
    html = client.get(url("mine", event)).content.decode()
    assert "A friend" in html and "NLP, RL" in html
    assert "You join the after-party." in html


def test_register_without_afterparty_has_no_checkbox(client, event, make_frame, user):
    make_frame(capacity=5)
    login(client, user)
    assert 'name="afterparty"' not in client.get(url("register", event)).content.decode()


# --- register: errors save nothing -----------------------------------------------------------


def test_register_required_answer_missing_shows_error_and_saves_nothing(
    client, event, make_frame, user, question, choice_question
):
    frame = make_frame(capacity=5)
    login(client, user)
    response = client.post(
        url("register", event), {"frame": frame.pk, f"q{choice_question.pk}": "Beginner"}
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors[f"q{question.pk}"] == ["This question is required."]
    assert f"q{choice_question.pk}" not in form.errors
    html = response.content.decode()
    block = html[html.index(f'id="question-{question.pk}"') :]
    assert block.index("This question is required.") < block.index("</textarea>")
    assert not Registration.objects.exists() and not Answer.objects.exists()


def test_register_choice_not_offered_is_refused(
    client, event, make_frame, user, question, choice_question
):
    frame = make_frame(capacity=5)
    login(client, user)
    response = client.post(
        url("register", event),
        {"frame": frame.pk, f"q{question.pk}": "web", f"q{choice_question.pk}": "Expert"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors[f"q{choice_question.pk}"] == [
        "Choose from the given options."
    ]
    assert not Registration.objects.exists()


def test_register_closed_frame_shows_non_field_error(client, event, make_frame, user):
    make_frame(capacity=5, name="Open")
    closed = make_frame(capacity=5, name="Late", closes_at=timezone.now() - timedelta(hours=1))
    login(client, user)
    response = client.post(url("register", event), {"frame": closed.pk})
    assert response.status_code == 400
    assert "Registration has closed." in response.context["form"].non_field_errors()
    assert not Registration.objects.exists()


def test_register_full_afterparty_error_next_to_checkbox(client, event, make_frame, people):
    event.afterparty_place = "Same floor"
    event.afterparty_capacity = 1
    event.save()
    frame = make_frame(capacity=5)
    first, second = people(2)
    services.register(frame=frame, user=first, afterparty=True)
    login(client, second)
    response = client.post(url("register", event), {"frame": frame.pk, "afterparty": "on"})
    assert response.status_code == 400
    assert response.context["form"].errors["afterparty"] == [
        "The after-party is full. You can register without it."
    ]
    assert not Registration.objects.filter(user=second).exists()
    assert "1 / 1 signed up" in response.content.decode()


def test_register_double_post_makes_one_registration(client, event, make_frame, user):
    frame = make_frame(capacity=5)
    login(client, user)
    post_register(client, event, frame)
    response = post_register(client, event, frame)
    assert Registration.objects.filter(user=user).count() == 1
    assert any("already registered" in m for m in messages_of(response))


def test_register_get_when_registered_goes_to_my_registration(client, event, make_frame, user):
    frame = make_frame(capacity=5)
    services.register(frame=frame, user=user)
    login(client, user)
    response = client.get(url("register", event))
    assert response.status_code == 302 and response.url == url("mine", event)


def test_register_frame_of_another_event_is_404(client, event, make_frame, user, group):
    make_frame(capacity=5)
    other = make_frame(capacity=5, target=EventFactory(group=group))
    login(client, user)
    assert client.get(url("register", event), {"frame": other.pk}).status_code == 404
    assert client.post(url("register", event), {"frame": other.pk}).status_code == 404
    assert client.get(url("register", event), {"frame": "x"}).status_code == 404
    assert not Registration.objects.exists()


def test_register_draft_event_is_404(client, group, make_frame, user, organizer):
    draft = EventFactory(group=group, status=EventStatus.DRAFT)
    frame = make_frame(capacity=5, target=draft)
    login(client, user)
    assert client.get(url("register", draft)).status_code == 404
    assert client.post(url("register", draft), {"frame": frame.pk}).status_code == 404
    login(client, organizer)
    assert client.get(url("register", draft)).status_code == 404
