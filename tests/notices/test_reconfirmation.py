"""Reconfirmation: ask, answers, the last call and the release of unanswered seats."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kaisai.core.outbox import deliver_due_mail
from kaisai.notices import links
from kaisai.notices.enums import Answer
from kaisai.notices.models import EventMailSettings, Reconfirmation
from kaisai.notices.services.reconfirmation import (
    RELEASE_REASON,
    Outcome,
    record_answer,
    schedule_of,
    send_due_reconfirmations,
)
from kaisai.registrations.enums import Status
from kaisai.registrations.models import RegistrationLog
from kaisai.registrations.services import cancel_registration
from tests.notices.reminder_helpers import fresh, keys, mail_settings, mails, make_setup


@pytest.fixture
def setup(group, organizer):
    """Two seats taken (p0, p1), one person waiting (p2)."""
    return make_setup(group, organizer, accepted=2, waitlisted=1)


def releasing(setup):
    """Ask 48 h before, deadline 24 h before, release unanswered: last call at 36 h."""
    return mail_settings(
        setup.event, reconfirm_hours=48, reconfirm_deadline_hours=24, release_unanswered=True
    )


def promoted_mail_keys(registration):
    return [m.key for m in mails("registration_promoted") if m.recipient_id == registration.user_id]


def test_no_question_without_settings(setup):
    assert send_due_reconfirmations(now=setup.before(hours=1)) == 0
    mail_settings(setup.event, reminder_hours=[24])
    assert send_due_reconfirmations(now=setup.before(hours=1)) == 0
    assert not mails("reconfirm_request")


def test_asks_every_accepted_person_once_at_the_set_time(setup):
    mail_settings(setup.event, reconfirm_hours=48)
    assert send_due_reconfirmations(now=setup.before(hours=48, minutes=1)) == 0
    now = setup.before(hours=47)
    assert send_due_reconfirmations(now=now) == 2
    assert keys("reconfirm_request") == {f"reconfirm-{r.pk}" for r in setup.accepted}
    assert send_due_reconfirmations(now=now + timedelta(hours=1)) == 0
    for mail in mails("reconfirm_request"):
        assert mail.kind == ""  # needed for the seat: no unsubscribe
        assert mail.batch == f"reconfirm:{setup.event.pk}"
    assert EventMailSettings.objects.get(event=setup.event).reconfirm_asked_at == now


def test_waitlisted_people_are_not_asked(setup):
    mail_settings(setup.event, reconfirm_hours=48)
    send_due_reconfirmations(now=setup.before(hours=47))
    asked = {m.recipient_id for m in mails("reconfirm_request")}
    assert setup.waitlisted[0].user_id not in asked


def test_yes_is_recorded_and_keeps_the_seat(setup):
    registration = setup.accepted[0]
    assert record_answer(registration=registration, answer=Answer.YES) is Outcome.RECORDED
    assert Reconfirmation.objects.get(registration=registration).answer == Answer.YES
    assert fresh(registration).status == Status.ACCEPTED
    # answering again changes nothing but the time
    assert record_answer(registration=registration, answer=Answer.YES) is Outcome.RECORDED
    assert Reconfirmation.objects.count() == 1


def test_no_releases_the_seat_and_promotes_at_once(setup):
    registration, waiting = setup.accepted[0], setup.waitlisted[0]
    assert record_answer(registration=registration, answer=Answer.NO) is Outcome.RELEASED
    assert fresh(registration).status == Status.CANCELLED
    assert Reconfirmation.objects.get(registration=registration).answer == Answer.NO
    assert fresh(waiting).status == Status.ACCEPTED
    assert promoted_mail_keys(waiting)
    assert [m.recipient_id for m in mails("registration_cancelled")] == [registration.user_id]
    assert setup.frame.__class__.objects.get(pk=setup.frame.pk).accepted_count == 2


def test_yes_after_no_finds_the_registration_inactive(setup):
    registration = setup.accepted[0]
    record_answer(registration=registration, answer=Answer.NO)
    assert record_answer(registration=registration, answer=Answer.YES) is Outcome.INACTIVE
    assert Reconfirmation.objects.get(registration=registration).answer == Answer.NO


def test_yes_then_no_cancels(setup):
    registration = setup.accepted[0]
    record_answer(registration=registration, answer=Answer.YES)
    assert record_answer(registration=registration, answer=Answer.NO) is Outcome.RELEASED
    assert fresh(registration).status == Status.CANCELLED


def test_answered_people_are_not_asked(setup):
    mail_settings(setup.event, reconfirm_hours=48)
    record_answer(registration=setup.accepted[0], answer=Answer.YES)
    send_due_reconfirmations(now=setup.before(hours=47))
    assert keys("reconfirm_request") == {f"reconfirm-{setup.accepted[1].pk}"}


def test_unanswered_seats_are_released_after_a_last_call(setup):
    releasing(setup)
    yes, silent = setup.accepted
    waiting = setup.waitlisted[0]
    send_due_reconfirmations(now=setup.before(hours=47))
    record_answer(registration=yes, answer=Answer.YES)

    # before the last call: nothing more
    assert send_due_reconfirmations(now=setup.before(hours=36, minutes=30)) == 0
    assert not mails("reconfirm_warning")

    # the last call (halfway between asking at 47 h and the deadline at 24 h: 35.5 h)
    assert send_due_reconfirmations(now=setup.before(hours=35)) == 1
    assert keys("reconfirm_warning") == {f"reconfirm-warning-{silent.pk}"}
    assert mails("reconfirm_warning")[0].kind == ""
    assert send_due_reconfirmations(now=setup.before(hours=30)) == 0
    assert fresh(silent).status == Status.ACCEPTED

    # the deadline: the silent one is released, the waitlist moves up at once
    assert send_due_reconfirmations(now=setup.before(hours=24)) == 1
    assert fresh(silent).status == Status.CANCELLED
    assert fresh(yes).status == Status.ACCEPTED
    assert fresh(waiting).status == Status.ACCEPTED
    assert promoted_mail_keys(waiting)
    assert [m.recipient_id for m in mails("registration_cancelled")] == [silent.user_id]
    log = RegistrationLog.objects.filter(registration=silent, to_status=Status.CANCELLED).get()
    assert log.reason == RELEASE_REASON and log.actor is None
    row = EventMailSettings.objects.get(event=setup.event)
    assert row.unanswered_warned_at == setup.before(hours=35)
    assert row.unanswered_released_at == setup.before(hours=24)

    # again: nothing (idempotent), and the promoted person is neither asked nor released
    assert send_due_reconfirmations(now=setup.before(hours=23)) == 0
    assert f"reconfirm-{waiting.pk}" not in keys("reconfirm_request")
    assert fresh(waiting).status == Status.ACCEPTED


def test_an_answer_after_the_last_call_keeps_the_seat(setup):
    releasing(setup)
    silent = setup.accepted[1]
    send_due_reconfirmations(now=setup.before(hours=47))
    send_due_reconfirmations(now=setup.before(hours=30))
    assert f"reconfirm-warning-{silent.pk}" in keys("reconfirm_warning")
    record_answer(registration=silent, answer=Answer.YES)
    send_due_reconfirmations(now=setup.before(hours=23))
    assert fresh(silent).status == Status.ACCEPTED
    assert fresh(setup.accepted[0]).status == Status.CANCELLED  # never answered


def test_nobody_is_released_without_the_last_call(setup):
    """A worker that was down from the question to after the deadline warns nobody, so it
    releases nobody."""
    releasing(setup)
    send_due_reconfirmations(now=setup.before(hours=47))
    assert send_due_reconfirmations(now=setup.before(hours=23)) == 0
    assert all(fresh(r).status == Status.ACCEPTED for r in setup.accepted)


def test_without_release_unanswered_seats_stay(setup):
    mail_settings(setup.event, reconfirm_hours=48, reconfirm_deadline_hours=24)
    send_due_reconfirmations(now=setup.before(hours=47))
    send_due_reconfirmations(now=setup.before(hours=30))
    send_due_reconfirmations(now=setup.before(hours=20))
    assert not mails("reconfirm_warning")
    assert all(fresh(r).status == Status.ACCEPTED for r in setup.accepted)


def test_without_release_people_accepted_later_are_asked_until_the_deadline(setup):
    mail_settings(setup.event, reconfirm_hours=48, reconfirm_deadline_hours=24)
    send_due_reconfirmations(now=setup.before(hours=47))
    cancel_registration(registration=setup.accepted[0], by=setup.accepted[0].user)
    waiting = setup.waitlisted[0]
    send_due_reconfirmations(now=setup.before(hours=30))
    assert f"reconfirm-{waiting.pk}" in keys("reconfirm_request")


def test_release_skips_a_registration_cancelled_meanwhile(setup):
    releasing(setup)
    send_due_reconfirmations(now=setup.before(hours=47))
    send_due_reconfirmations(now=setup.before(hours=30))
    cancel_registration(registration=setup.accepted[0], by=setup.accepted[0].user)
    assert send_due_reconfirmations(now=setup.before(hours=23)) == 1  # only the other one


def test_nothing_after_the_start(setup):
    releasing(setup)
    assert send_due_reconfirmations(now=setup.starts_at + timedelta(minutes=1)) == 0


def test_late_setting_asks_now_and_warns_halfway_to_the_deadline(setup):
    """Switched on when the question time has already passed: ask at once; the last call is
    halfway between that and the deadline, so people still get time to answer."""
    row = releasing(setup)
    now = setup.before(hours=30)
    assert send_due_reconfirmations(now=now) == 2
    row.refresh_from_db()
    schedule = schedule_of(row, now)
    assert schedule.warn_at == setup.before(hours=27)
    assert send_due_reconfirmations(now=setup.before(hours=28)) == 0
    assert send_due_reconfirmations(now=setup.before(hours=27)) == 2


def test_request_mail_has_yes_and_no_links_and_the_deadline(setup, mailoutbox, settings):
    settings.BASE_URL = "https://kaisai.example"
    releasing(setup)
    send_due_reconfirmations(now=setup.before(hours=47))
    deliver_due_mail()
    message = next(
        m
        for m in mailoutbox
        if m.extra_headers["X-Kaisai-Key"] == f"reconfirm-{setup.accepted[0].pk}"
    )
    assert "List-Unsubscribe" not in message.extra_headers
    deadline = setup.before(hours=24).astimezone(setup.event.tz).strftime("%Y-%m-%d %H:%M")
    assert f"{deadline} (Asia/Tokyo)" in message.body
    tokens = [
        line.rsplit("/mail/reconfirm/", 1)[1].rstrip("/")
        for line in message.body.splitlines()
        if "/mail/reconfirm/" in line
    ]
    answers = {links.registration_for_reconfirm(t)[1] for t in tokens}
    assert answers == {Answer.YES, Answer.NO}
