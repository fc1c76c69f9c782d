"""The post-event survey (docs/survey.md): built by organizers, sent once by the worker's job
through a real SMTP server to those who came (not to those who stopped organizers' mail),
answered through the personal link, counted; anonymity, speakers' and other groups' access,
and bad input."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from kaisai.core import outbox
from kaisai.core.models import OutboxMail
from kaisai.notices.enums import MailKind
from kaisai.notices.optouts import opt_out
from kaisai.surveys import links, selectors, services
from kaisai.surveys.enums import SurveyKind
from kaisai.surveys.errors import SurveyError
from kaisai.surveys.models import SurveyRespondent, SurveyResponse, TalkFeedback
from tests.conftest import login
from tests.surveys.helpers import end_event, link_in, past_event_with_people
from tests.talks.factories import TalkFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(event, organizer):
    return past_event_with_people(event, organizer, came=3, absent=1)


def rating_survey(survey, *, anonymous=True, per_talk=False):
    services.save_settings(survey=survey, anonymous=anonymous, per_talk=per_talk)
    rating = services.add_question(
        survey=survey, label="How was it?", kind=SurveyKind.RATING, required=True
    )
    choice = services.add_question(
        survey=survey,
        label="What did you like?",
        kind=SurveyKind.MULTIPLE,
        choices="Talks\nFood\nPeople",
    )
    text = services.add_question(survey=survey, label="Anything else?", kind=SurveyKind.TEXT)
    services.schedule(survey=survey)
    return rating, choice, text


def test_sent_once_to_those_who_came_and_answered_through_the_link(setup, smtp_server, client):
    rating, choice, text = rating_survey(setup.survey)
    unsubscribed = setup.came[2]
    opt_out(user_id=unsubscribed.pk, kind=MailKind.ORGANIZER_MESSAGE, group_id=setup.event.group_id)

    assert services.send_due_surveys() == 2
    assert services.send_due_surveys() == 0  # the second run sends nothing
    outbox.deliver_due_mail()
    messages = smtp_server.inbox.messages
    assert sorted(m["To"] for m in messages) == sorted(p.email for p in setup.came[:2])
    assert OutboxMail.objects.filter(template="survey_request").count() == 2

    html = messages[0].get_body(preferencelist=("html",)).get_content()
    assert "Answer the survey" in html
    assert messages[0]["List-Unsubscribe"]  # the organizers' mail kind: one-click unsubscribe
    url = link_in(messages[0])
    path = urlsplit(url).path
    page = client.get(path)
    assert page.status_code == 200 and "How was it?" in page.content.decode()
    response = client.post(
        path,
        {f"q{rating.pk}": "4", f"q{choice.pk}": ["Talks", "Food"], f"q{text.pk}": "More pizza"},
    )
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    again = client.post(path, {f"q{rating.pk}": "1"})
    assert "already answered" in again.content.decode()
    assert SurveyResponse.objects.count() == 1

    other = link_in(messages[1])
    client.post(urlsplit(other).path, {f"q{rating.pk}": "2", f"q{choice.pk}": "Talks"})
    result = selectors.results(setup.survey)
    assert result.responses == 2
    by_label = {item.question.label: item for item in result.questions}
    assert by_label["How was it?"].average == 3.0
    assert [(b.label, b.count) for b in by_label["What did you like?"].bars] == [
        ("Talks", 2),
        ("Food", 1),
        ("People", 0),
    ]
    assert by_label["Anything else?"].texts == ["More pizza"]


def test_anonymous_answers_carry_no_person(setup):
    rating, _choice, _text = rating_survey(setup.survey, anonymous=True)
    services.send_due_surveys()
    services.answer(survey=setup.survey, user=setup.came[0], answers={str(rating.pk): 5})
    response = SurveyResponse.objects.get()
    assert response.user_id is None
    assert SurveyRespondent.objects.filter(user=setup.came[0]).count() == 1
    with pytest.raises(services.AlreadyAnswered):
        services.answer(survey=setup.survey, user=setup.came[0], answers={str(rating.pk): 1})
    assert SurveyResponse.objects.count() == 1
    # The CSV of an anonymous survey has no person column.
    assert "person" not in selectors.csv_rows(setup.survey)[0]


def test_named_answers_keep_the_person(setup):
    rating, _choice, _text = rating_survey(setup.survey, anonymous=False)
    services.send_due_surveys()
    services.answer(survey=setup.survey, user=setup.came[0], answers={str(rating.pk): 5})
    assert SurveyResponse.objects.get().user == setup.came[0]


def test_a_survey_with_no_questions_cannot_be_sent(setup, client, organizer):
    with pytest.raises(SurveyError) as error:
        services.schedule(survey=setup.survey)
    assert error.value.reason == "no_questions"
    login(client, organizer)
    page = client.post(
        reverse("surveys:schedule", kwargs={"pk": setup.event.pk}), {"on": "1"}, follow=True
    )
    assert "A survey with no questions cannot be sent" in page.content.decode()
    assert services.send_due_surveys() == 0


def test_not_sent_before_the_end_and_the_link_refuses_answers_before_it(event, organizer, client):
    setup = past_event_with_people(event, organizer)
    rating, _c, _t = rating_survey(setup.survey)
    end_event(event, hours_ago=-1)  # the event ends in an hour
    assert services.send_due_surveys() == 0
    token = links.answer_token(setup.survey.pk, setup.came[0].pk)
    page = client.post(reverse("surveys:answer", kwargs={"token": token}), {f"q{rating.pk}": "3"})
    assert page.status_code == 409 and "opens after the event" in page.content.decode()
    assert not SurveyResponse.objects.exists()


def test_bad_tokens_and_people_who_did_not_come_are_refused(setup, client):
    rating_survey(setup.survey)
    services.send_due_surveys()
    for token in ("nonsense", links.answer_token(setup.survey.pk, setup.absent[0].pk)):
        page = client.get(reverse("surveys:answer", kwargs={"token": token}))
        assert page.status_code == 400 and "not valid" in page.content.decode()


def test_bad_answers_are_refused_with_nothing_saved(setup, client):
    rating, choice, _text = rating_survey(setup.survey)
    services.send_due_surveys()
    path = reverse(
        "surveys:answer", kwargs={"token": links.answer_token(setup.survey.pk, setup.came[0].pk)}
    )
    page = client.post(path, {f"q{rating.pk}": "9", f"q{choice.pk}": "Beer"})
    assert page.status_code == 422
    body = page.content.decode()
    assert "Choose a rating from 1 to 5." in body and "Choose from the given options." in body
    assert not SurveyResponse.objects.exists() and not SurveyRespondent.objects.exists()
    missing = client.post(path, {})
    assert missing.status_code == 422 and "This question is required." in missing.content.decode()


def test_speakers_see_their_own_talk_only(setup, client, organizer, outsider):
    mine_speaker, other_speaker = setup.absent[0], setup.came[2]
    mine = TalkFactory(event=setup.event, title="Mine", speaker=mine_speaker)
    other = TalkFactory(event=setup.event, title="Theirs", speaker=other_speaker)
    rating_survey(setup.survey, per_talk=True)
    services.send_due_surveys()
    rating = setup.survey.questions.get(kind=SurveyKind.RATING)
    services.answer(
        survey=setup.survey,
        user=setup.came[0],
        answers={str(rating.pk): 4},
        talks={
            str(mine.pk): {"rating": 5, "comment": "Great demo"},
            str(other.pk): {"rating": 2, "comment": "Too fast"},
        },
    )
    assert TalkFeedback.objects.count() == 2
    login(client, mine_speaker)
    page = client.get(reverse("surveys:talk_feedback", kwargs={"talk_id": mine.pk}))
    body = page.content.decode()
    assert page.status_code == 200 and "Great demo" in body and "Too fast" not in body
    assert "<svg" in body
    theirs = client.get(reverse("surveys:talk_feedback", kwargs={"talk_id": other.pk}))
    assert theirs.status_code == 403
    # A speaker is not an organizer: the event's results stay closed to them.
    results = client.get(reverse("surveys:results", kwargs={"pk": setup.event.pk}))
    assert results.status_code == 403
    login(client, outsider)
    assert (
        client.get(reverse("surveys:talk_feedback", kwargs={"talk_id": mine.pk})).status_code == 403
    )
    login(client, organizer)
    both = client.get(reverse("surveys:results", kwargs={"pk": setup.event.pk})).content.decode()
    assert "Great demo" in both and "Too fast" in both


def test_organizers_see_results_and_csv_others_nothing(setup, client, organizer, outsider):
    rating, _choice, _text = rating_survey(setup.survey, anonymous=False)
    services.send_due_surveys()
    services.answer(survey=setup.survey, user=setup.came[0], answers={str(rating.pk): 5})
    pk = setup.event.pk
    login(client, organizer)
    page = client.get(reverse("surveys:results", kwargs={"pk": pk}))
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count('class="survey-bar"') == 5 + 3  # the rating's 5 bars, 3 choices
    csv = client.get(reverse("surveys:results_csv", kwargs={"pk": pk}))
    text = csv.content.decode("utf-8-sig")
    assert "How was it?" in text and setup.came[0].name in text
    login(client, outsider)
    for name in ("manage", "results", "results_csv"):
        assert client.get(reverse(f"surveys:{name}", kwargs={"pk": pk})).status_code == 403
    for name in ("settings", "add_question", "schedule"):
        assert client.post(reverse(f"surveys:{name}", kwargs={"pk": pk})).status_code == 403


def test_builder_page_adds_questions_with_clear_errors(event, organizer, client):
    login(client, organizer)
    pk = event.pk
    assert client.get(reverse("surveys:manage", kwargs={"pk": pk})).status_code == 200
    bad = client.post(
        reverse("surveys:add_question", kwargs={"pk": pk}),
        {"label": "Pick", "kind": "single", "choices": ""},
    )
    assert bad.status_code == 422 and "Enter the choices" in bad.content.decode()
    good = client.post(
        reverse("surveys:add_question", kwargs={"pk": pk}), {"label": "Rate us", "kind": "rating"}
    )
    assert good.status_code == 302
    assert event.survey.questions.get().label == "Rate us"


def test_the_worker_ticker_runs_the_job(setup, settings):
    from kaisai.core.ticker import tick

    path = "kaisai.surveys.services.send_due_surveys"
    assert path in settings.KAISAI_PERIODIC_JOBS
    rating_survey(setup.survey)
    assert tick([path]) == {path: 3}
    assert tick([path]) == {path: 0}


def test_results_and_csv_take_as_many_queries_for_many_responses(event, organizer, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    setup = past_event_with_people(event, organizer, came=6)
    TalkFactory(event=event)
    rating, choice, _text = rating_survey(setup.survey, anonymous=False, per_talk=True)
    services.send_due_surveys()
    login(client, organizer)
    counts = []
    for people in (setup.came[:2], setup.came[2:]):
        for person in people:
            services.answer(survey=setup.survey, user=person, answers={str(rating.pk): 3})
        for name in ("results", "results_csv"):
            with CaptureQueriesContext(connection) as queries:
                client.get(reverse(f"surveys:{name}", kwargs={"pk": event.pk}))
            counts.append(len(queries))
    assert counts[:2] == counts[2:], counts


def test_highlights_for_the_recap_have_the_numbers_and_no_comments(setup):
    from kaisai.recaps.drafting import draft_markdown

    assert selectors.highlights(setup.event) == ""  # nobody answered yet
    rating, _choice, text = rating_survey(setup.survey, anonymous=True)
    services.send_due_surveys()
    for person, stars in zip(setup.came, (5, 4, 3), strict=True):
        services.answer(
            survey=setup.survey,
            user=person,
            answers={str(rating.pk): stars, str(text.pk): f"secret note {stars}"},
        )
    highlights = selectors.highlights(setup.event)
    assert "3 people answered the survey." in highlights
    assert "How was it?: 4.0 / 5 (3 answers)" in highlights
    assert "secret note" not in highlights  # free text stays with the organizers
    draft = draft_markdown(setup.event, survey_highlights=selectors.highlights)
    assert "Survey highlights" in draft and "4.0 / 5" in draft
