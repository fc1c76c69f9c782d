"""Pages: one-click cancel and reconfirmation links, the organizer's mail settings and the
reconfirmation overview."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaisai.groups.enums import Role
from kaisai.groups.models import Organizer
from kaisai.notices import links
from kaisai.notices.enums import Answer
from kaisai.notices.models import EventMailSettings, Reconfirmation
from kaisai.notices.services.reconfirmation import record_answer, send_due_reconfirmations
from kaisai.notices.services.reminders import send_due_reminders
from kaisai.registrations.enums import Status
from kaisai.registrations.models import RegistrationLog
from tests.conftest import login
from tests.factories import UserFactory
from tests.notices.reminder_helpers import (
    Setup,
    end_event,
    fresh,
    mail_settings,
    mails,
    make_setup,
)


@pytest.fixture
def setup(group, organizer):
    return make_setup(group, organizer, accepted=2, waitlisted=1)


def cancel_path(registration) -> str:
    return reverse("notices:cancel_link", kwargs={"token": links.cancel_token(registration.pk)})


def reconfirm_path(registration, answer) -> str:
    token = links.reconfirm_token(registration.pk, answer)
    return reverse("notices:reconfirm_link", kwargs={"token": token})


# --- one-click cancel -------------------------------------------------------------------


def test_cancel_link_shows_a_confirmation_and_changes_nothing(client, setup):
    registration = setup.accepted[0]
    response = client.get(cancel_path(registration))
    assert response.status_code == 200
    page = response.content.decode()
    assert setup.event.title in page
    assert "Yes, cancel my registration" in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert response["X-Robots-Tag"] == "noindex"
    assert fresh(registration).status == Status.ACCEPTED


def test_cancel_link_post_releases_the_seat_and_promotes_the_next(client, setup):
    registration, waiting = setup.accepted[0], setup.waitlisted[0]
    response = client.post(cancel_path(registration))
    assert response.status_code == 200
    assert "Your seat was released" in response.content.decode()
    assert fresh(registration).status == Status.CANCELLED
    assert fresh(waiting).status == Status.ACCEPTED
    assert [m.recipient_id for m in mails("registration_promoted")] == [waiting.user_id]
    log = RegistrationLog.objects.get(registration=registration, to_status=Status.CANCELLED)
    assert log.reason == "cancelled from the reminder mail"
    assert log.actor_id == registration.user_id


def test_cancel_link_repeated_post_is_calm(client, setup):
    registration = setup.accepted[0]
    client.post(cancel_path(registration))
    response = client.post(cancel_path(registration))
    assert response.status_code == 200
    assert "Already cancelled" in response.content.decode()
    assert client.get(cancel_path(registration)).status_code == 200
    assert "Already cancelled" in client.get(cancel_path(registration)).content.decode()
    assert len(mails("registration_promoted")) == 1


def test_cancel_link_needs_the_csrf_token(setup):
    registration = setup.accepted[0]
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(cancel_path(registration)).status_code == 403
    assert fresh(registration).status == Status.ACCEPTED
    page = strict.get(cancel_path(registration))
    token = page.cookies["csrftoken"].value
    response = strict.post(cancel_path(registration), {"csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert fresh(registration).status == Status.CANCELLED


def test_cancel_link_works_for_a_logged_in_stranger_too(client, setup):
    """The signed token is the authority, not the session."""
    login(client, UserFactory(nickname="stranger"))
    client.post(cancel_path(setup.accepted[0]))
    assert fresh(setup.accepted[0]).status == Status.CANCELLED


def test_tampered_cancel_link_is_a_clear_400(client, setup):
    token = links.cancel_token(setup.accepted[0].pk)
    bad = reverse("notices:cancel_link", kwargs={"token": token[:-2] + "zz"})
    for response in (client.get(bad), client.post(bad)):
        assert response.status_code == 400
        assert "This link is not valid" in response.content.decode()
    assert fresh(setup.accepted[0]).status == Status.ACCEPTED


def test_expired_cancel_link_is_a_clear_410(client, setup):
    path = cancel_path(setup.accepted[0])
    end_event(setup.event)
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 410
        assert "This link has expired" in response.content.decode()
    assert fresh(setup.accepted[0]).status == Status.ACCEPTED


# --- reconfirmation links ---------------------------------------------------------------


def test_reconfirm_yes_link_shows_the_choice_then_records_it(client, setup):
    registration = setup.accepted[0]
    response = client.get(reconfirm_path(registration, Answer.YES))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Confirm: I&#x27;m coming" in page or "Confirm: I'm coming" in page
    assert not Reconfirmation.objects.exists()
    response = client.post(reconfirm_path(registration, Answer.YES))
    assert "See you there!" in response.content.decode()
    assert Reconfirmation.objects.get(registration=registration).answer == Answer.YES


def test_reconfirm_no_link_cancels_and_promotes(client, setup):
    registration, waiting = setup.accepted[0], setup.waitlisted[0]
    page = client.get(reconfirm_path(registration, Answer.NO)).content.decode()
    assert "goes to the next person on the waitlist" in page
    response = client.post(reconfirm_path(registration, Answer.NO))
    assert "Your seat was released" in response.content.decode()
    assert fresh(registration).status == Status.CANCELLED
    assert fresh(waiting).status == Status.ACCEPTED
    # the "yes" link afterwards: calm, nothing changes
    response = client.post(reconfirm_path(registration, Answer.YES))
    assert response.status_code == 200
    assert "not active" in response.content.decode()
    assert Reconfirmation.objects.get(registration=registration).answer == Answer.NO


def test_reconfirm_page_links_to_the_other_answer(client, setup):
    registration = setup.accepted[0]
    page = client.get(reconfirm_path(registration, Answer.YES)).content.decode()
    assert reconfirm_path(registration, Answer.NO) in page


def test_reconfirm_link_errors(client, setup):
    bad = reverse("notices:reconfirm_link", kwargs={"token": "nope"})
    assert client.get(bad).status_code == 400
    cancel_token_as_answer = reverse(
        "notices:reconfirm_link", kwargs={"token": links.cancel_token(setup.accepted[0].pk)}
    )
    assert client.post(cancel_token_as_answer).status_code == 400
    path = reconfirm_path(setup.accepted[0], Answer.NO)
    end_event(setup.event)
    assert client.post(path).status_code == 410
    assert fresh(setup.accepted[0]).status == Status.ACCEPTED


# --- organizer pages --------------------------------------------------------------------

ORGANIZER_PAGES = ["notices:event_settings", "notices:reconfirmation"]


@pytest.mark.parametrize("name", ORGANIZER_PAGES)
def test_organizer_pages_send_anonymous_visitors_to_login(client, setup, name):
    path = reverse(name, kwargs={"pk": setup.event.pk})
    for response in (client.get(path), client.post(path, {"reminder_hours": "1"})):
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", ORGANIZER_PAGES)
def test_organizer_pages_refuse_outsiders_and_plain_users(client, setup, outsider, name):
    path = reverse(name, kwargs={"pk": setup.event.pk})
    for person in (outsider, UserFactory(nickname="plain"), setup.accepted[0].user):
        login(client, person)
        assert client.get(path).status_code == 403
        assert client.post(path, {"reminder_hours": "1"}).status_code == 403
    assert not EventMailSettings.objects.exists()


@pytest.mark.parametrize("name", ORGANIZER_PAGES)
def test_organizer_pages_of_an_unknown_event_are_404(client, organizer, name):
    login(client, organizer)
    assert client.get(reverse(name, kwargs={"pk": 999999})).status_code == 404


def test_reception_role_may_not_change_mail_settings(client, setup):
    helper = UserFactory(nickname="door")
    Organizer.objects.create(group=setup.event.group, user=helper, role=Role.RECEPTION)
    login(client, helper)
    path = reverse("notices:event_settings", kwargs={"pk": setup.event.pk})
    assert client.get(path).status_code == 403


def settings_path(setup: Setup) -> str:
    return reverse("notices:event_settings", kwargs={"pk": setup.event.pk})


def test_settings_page_shows_the_defaults(client, setup, organizer):
    login(client, organizer)
    response = client.get(settings_path(setup))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="24, 2"' in page
    assert "24 hours before" in page and "2 hours before" in page


def test_settings_are_saved(client, setup, organizer):
    login(client, organizer)
    response = client.post(
        settings_path(setup),
        {
            "reminder_hours": "2, 48，24 2",
            "reconfirm_hours": "72",
            "reconfirm_deadline_hours": "24",
            "release_unanswered": "on",
        },
    )
    assert response.status_code == 302
    row = EventMailSettings.objects.get(event=setup.event)
    assert row.reminder_hours == [48, 24, 2]
    assert (row.reconfirm_hours, row.reconfirm_deadline_hours) == (72, 24)
    assert row.release_unanswered is True
    page = client.get(settings_path(setup)).content.decode()
    assert 'value="48, 24, 2"' in page
    # switched off again: empty reminders, no question
    client.post(settings_path(setup), {"reminder_hours": ""})
    row.refresh_from_db()
    assert row.reminder_hours == [] and row.reconfirm_hours is None
    assert row.release_unanswered is False


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"reminder_hours": "24, soon"}, "reminder_hours", "is not a whole number"),
        ({"reminder_hours": "0"}, "reminder_hours", "between 1 and 720"),
        ({"reminder_hours": "1,2,3,4,5,6"}, "reminder_hours", "At most 5"),
        ({"reconfirm_deadline_hours": "12"}, "reconfirm_deadline_hours", "needs the question"),
        (
            {"reconfirm_hours": "24", "reconfirm_deadline_hours": "48"},
            "reconfirm_deadline_hours",
            "must come after the question",
        ),
        (
            {"reconfirm_hours": "24", "release_unanswered": "on"},
            "release_unanswered",
            "needs an answer deadline",
        ),
        ({"reconfirm_hours": "0"}, "reconfirm_hours", "greater than or equal to 1"),
    ],
)
def test_bad_settings_show_field_errors_and_save_nothing(
    client, setup, organizer, data, field, message
):
    login(client, organizer)
    response = client.post(settings_path(setup), data)
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert "Nothing has been saved" in response.content.decode()
    assert not EventMailSettings.objects.exists()


def test_settings_errors_in_the_organizers_language(client, setup, organizer):
    organizer.preferred_language = "ja"
    organizer.save()
    login(client, organizer)
    response = client.post(settings_path(setup), {"reconfirm_hours": "-3"})
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="ja">' in page
    assert "以上" in str(response.context["form"].errors["reconfirm_hours"])


def overview_path(setup: Setup) -> str:
    return reverse("notices:reconfirmation", kwargs={"pk": setup.event.pk})


def test_reconfirmation_overview_counts_and_lists_answers(client, setup, organizer):
    mail_settings(setup.event, reconfirm_hours=48, reconfirm_deadline_hours=24)
    send_due_reconfirmations(now=setup.before(hours=47))
    yes, no = setup.accepted
    record_answer(registration=yes, answer=Answer.YES)
    record_answer(registration=no, answer=Answer.NO)  # promotes the waitlisted one
    login(client, organizer)
    response = client.get(overview_path(setup))
    assert response.status_code == 200
    counts = response.context["counts"]
    assert counts == {"yes": 1, "no": 1, "unanswered": 1, "released": 0}
    page = response.content.decode()
    for registration in (yes, no, setup.waitlisted[0]):
        assert f'id="registration-{registration.pk}"' in page
    assert "I&#x27;m coming" in page or "I'm coming" in page


def test_reconfirmation_overview_counts_released_seats(client, setup, organizer):
    mail_settings(
        setup.event, reconfirm_hours=48, reconfirm_deadline_hours=24, release_unanswered=True
    )
    send_due_reconfirmations(now=setup.before(hours=47))
    send_due_reconfirmations(now=setup.before(hours=30))
    send_due_reconfirmations(now=setup.before(hours=23))
    login(client, organizer)
    response = client.get(overview_path(setup))
    assert response.context["counts"]["released"] == 2
    assert "last call sent" in response.content.decode()


def test_reconfirmation_overview_query_count_does_not_grow(client, group, organizer):
    small = make_setup(group, organizer, accepted=2, waitlisted=0, prefix="s")
    large = make_setup(group, organizer, accepted=12, waitlisted=0, prefix="l")
    for setup in (small, large):
        mail_settings(setup.event, reconfirm_hours=48)
        send_due_reconfirmations(now=setup.before(hours=47))
        record_answer(registration=setup.accepted[0], answer=Answer.YES)
    login(client, organizer)
    client.get(overview_path(small))  # warm caches (session, etc.)
    with CaptureQueriesContext(connection) as few:
        assert client.get(overview_path(small)).status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert client.get(overview_path(large)).status_code == 200
    assert len(many) == len(few)


def test_settings_page_query_count_is_fixed(client, setup, organizer):
    send_due_reminders(now=setup.before(hours=23))
    login(client, organizer)
    client.get(settings_path(setup))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(settings_path(setup))
    assert "2 sent" in response.content.decode()
    assert len(queries) <= 8
