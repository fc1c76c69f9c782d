from __future__ import annotations

import contextlib
import io
import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kaisai.events.enums import EventStatus
from kaisai.registrations import services
from kaisai.registrations.enums import Method, QuestionKind, Status
from kaisai.registrations.models import Answer, LotteryDraw, Question, Registration
from tests.conftest import login
from tests.factories import EventFactory, OrganizerFactory, UserFactory


def url(name: str, event, **kwargs) -> str:
    return reverse(f"registrations:{name}", kwargs={"pk": event.pk, **kwargs})


def event_page(client, event) -> str:
    response = client.get(reverse("events:detail", kwargs={"pk": event.pk}))
    assert response.status_code == 200
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


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


# --- my registration: cancel and change frame -------------------------------------------------


def test_cancel_promotes_the_waitlisted_person(client, event, make_frame, people):
    frame = make_frame(capacity=1)
    first, second = people(2)
    services.register(frame=frame, user=first)
    waiting = services.register(frame=frame, user=second)
    login(client, first)
    page = client.get(url("mine", event)).content.decode()
    assert url("cancel", event) in page and "<details" in page
    response = client.post(url("cancel", event), follow=True)
    assert Registration.objects.get(user=first).status == Status.CANCELLED
    waiting.refresh_from_db()
    assert waiting.status == Status.ACCEPTED
    html = response.content.decode()
    assert "badge status-cancelled" in html and "Register again" in html
    log = Registration.objects.get(user=first).log.last()
    assert log.reason == "cancelled by the participant" and log.actor == first


def test_cancel_is_post_only(client, event, make_frame, user):
    services.register(frame=make_frame(capacity=1), user=user)
    login(client, user)
    assert client.get(url("cancel", event)).status_code == 405
    assert Registration.objects.get(user=user).status == Status.ACCEPTED


def test_change_frame_moves_and_warns_about_full_frames(client, event, make_frame, people):
    general = make_frame(capacity=5, name="General")
    students = make_frame(capacity=1, name="Students")
    taken, me = people(2)
    services.register(frame=students, user=taken)
    mine = services.register(frame=general, user=me)
    login(client, me)
    page = client.get(url("mine", event)).content.decode()
    assert url("change_frame", event) in page
    assert "Full: you will be put on the waitlist." in page
    response = client.post(url("change_frame", event), {"frame": students.pk}, follow=True)
    mine.refresh_from_db()
    assert (mine.frame_id, mine.status) == (students.pk, Status.WAITLISTED)
    assert any("number 1 on its waitlist" in m for m in messages_of(response))


def test_change_frame_to_another_events_frame_is_404(client, event, group, make_frame, user):
    mine = services.register(frame=make_frame(capacity=5), user=user)
    other = make_frame(capacity=5, target=EventFactory(group=group))
    login(client, user)
    assert client.post(url("change_frame", event), {"frame": other.pk}).status_code == 404
    mine.refresh_from_db()
    assert mine.frame.event_id == event.pk


def test_change_frame_to_closed_frame_says_why(client, event, make_frame, user):
    mine = services.register(frame=make_frame(capacity=5), user=user)
    closed = make_frame(capacity=5, name="Late", closes_at=timezone.now() - timedelta(hours=1))
    login(client, user)
    response = client.post(url("change_frame", event), {"frame": closed.pk}, follow=True)
    assert "Registration has closed." in messages_of(response)
    mine.refresh_from_db()
    assert mine.frame_id != closed.pk


def test_my_registration_without_any_is_404(client, event, make_frame, user):
    make_frame(capacity=5)
    login(client, user)
    assert client.get(url("mine", event)).status_code == 404


def test_my_registration_shows_latest_rejected(client, event, make_frame, user, organizer):
    registration = services.register(frame=make_frame(method=Method.APPROVAL), user=user)
    services.decide_application(registration=registration, by=organizer, accept=False)
    login(client, user)
    html = client.get(url("mine", event)).content.decode()
    assert "badge status-rejected" in html
    assert url("cancel", event) not in html


# --- participant-only information ---------------------------------------------------------


def test_participant_info_only_for_accepted_and_organizers(
    client, event, make_frame, people, organizer
):
    event.participant_info = "Door code **door-4321**"
    event.save()
    frame = make_frame(capacity=1)
    accepted, waitlisted, stranger = people(3)
    services.register(frame=frame, user=accepted)
    services.register(frame=frame, user=waitlisted)
    reception = OrganizerFactory(group=event.group, role="reception").user

    assert "door-4321" not in event_page(client, event)  # anonymous
    for person in (waitlisted, stranger):
        login(client, person)
        assert "door-4321" not in event_page(client, event)
    login(client, waitlisted)
    assert "door-4321" not in client.get(url("mine", event)).content.decode()
    for person in (accepted, organizer, reception):
        login(client, person)
        assert "<strong>door-4321</strong>" in event_page(client, event)
    login(client, accepted)
    assert "<strong>door-4321</strong>" in client.get(url("mine", event)).content.decode()


# --- event page frames section ------------------------------------------------------------


def test_event_page_frames_section_counts_and_register_button(
    client, event, make_frame, people, user
):
    event.time_zone = "Asia/Tokyo"
    event.save()
    frame = make_frame(capacity=2, fee=1000, description="For everyone")
    for person in people(4):
        services.register(frame=frame, user=person)
    html = event_page(client, event)
    assert "2/2, waitlist 2" in html
    assert "First come" in html and "1,000 yen" in html and "For everyone" in html
    assert "Full: you will be put on the waitlist." in html
    register_link = f"{url('register', event)}?frame={frame.pk}"
    assert register_link in html
    login(client, user)
    services.register(frame=frame, user=user)
    html = event_page(client, event)
    assert register_link not in html
    assert "Waitlisted: number 3" in html
    assert url("mine", event) in html


def test_event_page_no_register_button_outside_window(client, event, make_frame):
    soon = make_frame(capacity=2, opens_at=timezone.now() + timedelta(days=1))
    html = event_page(client, event)
    assert f"?frame={soon.pk}" not in html and "Not open yet" in html


def test_event_page_afterparty_signups(client, event, make_frame, people):
    event.afterparty_place = "Same floor"
    event.afterparty_capacity = 30
    event.save()
    frame = make_frame(capacity=5)
    for person in people(2):
        services.register(frame=frame, user=person, afterparty=True)
    services.register(frame=frame, user=UserFactory(), afterparty=False)
    assert "2 / 30 signed up" in event_page(client, event)


def _page_queries(client, target) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(target)
    assert response.status_code == 200
    return len(queries)


def test_event_page_query_count_does_not_grow(client, event, make_frame, people, user):
    event.afterparty_place = "Same floor"
    event.afterparty_capacity = 50
    event.save()
    frames = [make_frame(capacity=2, name="General")]
    login(client, user)
    services.register(frame=frames[0], user=user)  # waitlisted below, once others fill it
    for person in people(2, prefix="a"):
        services.register(frame=frames[0], user=person)
    detail = reverse("events:detail", kwargs={"pk": event.pk})
    few = _page_queries(client, detail)
    frames += [make_frame(capacity=2, name=f"F{i}") for i in range(4)]
    frames.append(make_frame(capacity=3, name="Lottery", method=Method.LOTTERY))
    for index, person in enumerate(people(20, prefix="b")):
        services.register(frame=frames[index % len(frames)], user=person, afterparty=True)
    assert _page_queries(client, detail) == few


# --- lottery page -------------------------------------------------------------------------


def test_lottery_page_before_and_after_draw(client, event, make_frame, people):
    frame = make_frame(capacity=2, method=Method.LOTTERY)
    applicants = people(4)
    registrations = [services.register(frame=frame, user=p) for p in applicants]
    draw = LotteryDraw.objects.get(frame=frame)
    lottery_url = url("lottery", event, frame_id=frame.pk)

    before = client.get(lottery_url).content.decode()
    assert draw.commitment in before and draw.seed not in before
    assert "sha256-v1" in before
    assert re.search(r'class="applicant-count">4<', before)
    login(client, applicants[0])
    mine_before = client.get(lottery_url).content.decode()
    assert f"registration id {registrations[0].pk}" in mine_before

    services.draw_lottery(frame=frame, force=True)
    draw.refresh_from_db()
    client.logout()
    after = client.get(lottery_url).content.decode()
    assert draw.seed in after and draw.commitment in after
    assert "Verified:" in after
    assert f"kaisai verify-lottery {frame.pk}" in after and "import hashlib" in after
    for person in applicants:
        # ids only, never names (word boundaries: the CSRF token may contain "p0")
        assert not re.search(rf"\b{person.nickname}\b", after)
    rows = re.findall(r"<td>(\d+)</td>\s*<td>(\d+)", after)
    assert [int(rid) for _rank, rid in rows] == draw.order
    assert after.count("badge status-accepted") == 2
    assert after.count("badge status-waitlisted") == 2
    # The page's own snippet, run as published, recomputes the published result.
    snippet = unescape(re.search(r'<pre class="snippet"><code>(.*?)</code>', after, re.S)[1])
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(snippet, {})  # noqa: S102 - the page's verification snippet
    assert output.getvalue().splitlines() == [
        f"accepted: {draw.order[:2]}",
        f"waitlisted, in order: {draw.order[2:]}",
    ]
    login(client, applicants[1])
    mine_after = client.get(lottery_url).content.decode()
    assert re.search(rf'<tr class="mine">\s*<td>\d+</td>\s*<td>{registrations[1].pk} ', mine_after)


def test_lottery_page_for_non_lottery_or_other_event_frame_is_404(client, event, group, make_frame):
    first_come = make_frame(capacity=2)
    other = make_frame(capacity=2, method=Method.LOTTERY, target=EventFactory(group=group))
    assert client.get(url("lottery", event, frame_id=first_come.pk)).status_code == 404
    assert client.get(url("lottery", event, frame_id=other.pk)).status_code == 404


def test_lottery_page_of_draft_is_404_to_outsiders(client, group, make_frame, organizer, outsider):
    draft = EventFactory(group=group, status=EventStatus.DRAFT)
    frame = make_frame(capacity=2, method=Method.LOTTERY, target=draft)
    target = url("lottery", draft, frame_id=frame.pk)
    assert client.get(target).status_code == 404
    login(client, outsider)
    assert client.get(target).status_code == 404
    login(client, organizer)
    assert client.get(target).status_code == 200


# --- my events ----------------------------------------------------------------------------


def test_my_events_lists_upcoming_first_then_past(client, group, user, organizer):
    def registered(title, days, **frame_fields):
        start = timezone.now() + timedelta(days=days)
        event = EventFactory(
            group=group, title=title, starts_at=start, ends_at=start + timedelta(hours=2)
        )
        frame = services.create_frame(
            event=event, by=organizer, capacity=5, name=f"{title} frame", **frame_fields
        )
        return services.register(frame=frame, user=user), event

    later, _ = registered("Later meetup", 20)
    sooner, _ = registered("Sooner meetup", 3)
    past_reg, past_event = registered("Sooner meetup", 3)
    past_event.title = "Old meetup"
    past_event.starts_at = timezone.now() - timedelta(days=30)
    past_event.ends_at = past_event.starts_at + timedelta(hours=2)
    past_event.save()
    cancelled, _ = registered("Dropped meetup", 10)
    services.cancel_registration(registration=cancelled, by=user)
    login(client, user)
    html = client.get(reverse("registrations:my_events")).content.decode()
    upcoming, past = html.split('id="past-heading"')
    assert upcoming.index("Sooner meetup") < upcoming.index("Dropped meetup")
    assert upcoming.index("Dropped meetup") < upcoming.index("Later meetup")
    assert "badge status-cancelled" in upcoming
    assert "Old meetup" in past and "Old meetup" not in upcoming
    assert reverse("registrations:my_events") in html  # the header link


def test_my_events_query_count_does_not_grow(client, group, user, organizer, people):
    login(client, user)

    def add(count):
        for _ in range(count):
            event = EventFactory(group=group)
            frame = services.create_frame(event=event, by=organizer, capacity=1, name="G")
            services.register(frame=frame, user=people(1, prefix=f"x{event.pk}-")[0])
            services.register(frame=frame, user=user)  # waitlisted

    add(2)
    few = _page_queries(client, reverse("registrations:my_events"))
    add(10)
    assert _page_queries(client, reverse("registrations:my_events")) == few


# --- login required -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,method",
    [("register", "get"), ("mine", "get"), ("cancel", "post"), ("change_frame", "post")],
)
def test_participant_pages_send_anonymous_users_to_login(client, event, make_frame, name, method):
    frame = make_frame(capacity=5)
    target = url(name, event)
    response = getattr(client, method)(target, {"frame": frame.pk})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert "next=" in response.url
    assert not Registration.objects.exists()


def test_my_events_sends_anonymous_users_to_login(client):
    response = client.get(reverse("registrations:my_events"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
