"""The reminder job: offsets, never twice, waitlist skipped, opt-outs, language, content."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kaisai.checkin.models import Ticket
from kaisai.core.outbox import deliver_due_mail
from kaisai.events.enums import EventStatus, VenueKind
from kaisai.events.models import Event
from kaisai.notices import links
from kaisai.notices.enums import MailKind
from kaisai.notices.models import MailOptOut
from kaisai.notices.services.reminders import send_due_reminders
from kaisai.registrations.models import Registration
from kaisai.registrations.services import cancel_registration
from tests.factories import GroupFactory
from tests.notices.reminder_helpers import keys, mail_settings, mails, make_setup


@pytest.fixture
def setup(group, organizer):
    return make_setup(group, organizer, accepted=2, waitlisted=1)


def reminders_in(outbox):
    return [m for m in outbox if m.extra_headers.get("X-Kaisai-Key", "").startswith("reminder-")]


def reminder_keys(setup, hours):
    return {f"reminder-{r.pk}-{hours}" for r in setup.accepted}


def test_nothing_before_the_first_offset(setup):
    assert send_due_reminders(now=setup.before(hours=24, minutes=1)) == 0
    assert not mails("event_reminder")


def test_day_before_reminder_goes_to_every_accepted_person_once(setup):
    now = setup.before(hours=23, minutes=59)
    assert send_due_reminders(now=now) == 2
    assert keys("event_reminder") == reminder_keys(setup, 24)
    assert send_due_reminders(now=now) == 0
    assert send_due_reminders(now=now + timedelta(minutes=30)) == 0
    assert len(mails("event_reminder")) == 2
    for mail in mails("event_reminder"):
        assert mail.kind == MailKind.REMINDER
        assert mail.group_id == setup.event.group_id
        assert mail.batch == f"reminder:{setup.event.pk}:24"


def test_waitlisted_people_get_no_reminder(setup):
    send_due_reminders(now=setup.before(hours=1))
    recipients = {mail.recipient_id for mail in mails("event_reminder")}
    assert recipients == {r.user_id for r in setup.accepted}
    assert setup.waitlisted[0].user_id not in recipients


def test_two_hours_before_comes_as_a_second_reminder(setup):
    send_due_reminders(now=setup.before(hours=23))
    assert send_due_reminders(now=setup.before(hours=2)) == 2
    assert keys("event_reminder") == reminder_keys(setup, 24) | reminder_keys(setup, 2)
    assert send_due_reminders(now=setup.before(minutes=5)) == 0


def test_a_missed_reminder_is_superseded_by_the_later_one(setup):
    """A worker that was down over the 24 h mark sends only the 2 h reminder, not both."""
    assert send_due_reminders(now=setup.before(hours=1, minutes=30)) == 2
    assert keys("event_reminder") == reminder_keys(setup, 2)


def test_someone_registered_after_the_reminder_time_waits_for_the_next_one(setup):
    late = setup.accepted[1]
    Registration.objects.filter(pk=late.pk).update(created_at=setup.before(hours=10))
    send_due_reminders(now=setup.before(hours=9))
    assert keys("event_reminder") == {f"reminder-{setup.accepted[0].pk}-24"}
    send_due_reminders(now=setup.before(hours=2))
    assert f"reminder-{late.pk}-2" in keys("event_reminder")


def test_promoted_person_gets_the_next_reminder(setup, django_capture_on_commit_callbacks):
    send_due_reminders(now=setup.before(hours=20))
    cancel_registration(registration=setup.accepted[0], by=setup.accepted[0].user)
    promoted = setup.waitlisted[0]
    send_due_reminders(now=setup.before(hours=19))  # the 24 h one, late: still useful
    assert f"reminder-{promoted.pk}-24" in keys("event_reminder")
    assert f"reminder-{setup.accepted[0].pk}-2" not in keys("event_reminder")
    send_due_reminders(now=setup.before(hours=2))
    assert f"reminder-{setup.accepted[0].pk}-2" not in keys("event_reminder")  # cancelled
    assert f"reminder-{promoted.pk}-2" in keys("event_reminder")


def test_no_reminder_once_the_event_has_started(setup):
    assert send_due_reminders(now=setup.starts_at) == 0
    assert send_due_reminders(now=setup.starts_at + timedelta(minutes=10)) == 0
    assert not mails("event_reminder")


@pytest.mark.parametrize(
    "status", [EventStatus.DRAFT, EventStatus.CANCELLED, EventStatus.POSTPONED]
)
def test_no_reminder_for_events_that_are_not_published(setup, status):
    Event.objects.filter(pk=setup.event.pk).update(status=status)
    assert send_due_reminders(now=setup.before(hours=1)) == 0


def test_opt_outs_are_honoured_everywhere_and_per_group(setup):
    first, second = setup.accepted
    MailOptOut.objects.create(user=first.user, kind=MailKind.REMINDER)
    MailOptOut.objects.create(user=second.user, kind=MailKind.REMINDER, group=setup.event.group)
    assert send_due_reminders(now=setup.before(hours=23)) == 0


def test_opt_out_for_another_group_or_another_kind_does_not_count(setup):
    first, second = setup.accepted
    MailOptOut.objects.create(
        user=first.user, kind=MailKind.REMINDER, group=GroupFactory(slug="elsewhere")
    )
    MailOptOut.objects.create(user=second.user, kind=MailKind.ORGANIZER_MESSAGE)
    assert send_due_reminders(now=setup.before(hours=23)) == 2


def test_event_settings_choose_the_offsets(setup):
    mail_settings(setup.event, reminder_hours=[72, 6])
    assert send_due_reminders(now=setup.before(hours=30)) == 2
    assert keys("event_reminder") == reminder_keys(setup, 72)
    assert send_due_reminders(now=setup.before(hours=2)) == 2
    assert keys("event_reminder") == reminder_keys(setup, 72) | reminder_keys(setup, 6)


def test_empty_offsets_switch_reminders_off(setup):
    mail_settings(setup.event, reminder_hours=[])
    assert send_due_reminders(now=setup.before(hours=1)) == 0


def test_malformed_offsets_are_skipped_not_fatal(setup):
    mail_settings(setup.event, reminder_hours=["24", None, 2.5, True, 24])
    assert send_due_reminders(now=setup.before(hours=23)) == 2
    mail_settings(setup.event, reminder_hours={"24": 1})
    assert send_due_reminders(now=setup.before(hours=1)) == 0


def test_offsets_beyond_the_horizon_are_ignored(setup):
    mail_settings(setup.event, reminder_hours=[24 * 40, 24])
    assert send_due_reminders(now=setup.before(days=35)) == 0


def test_job_runs_without_arguments(setup):
    """The ticker calls it with no `now`: an event 14 days ahead has nothing due."""
    assert send_due_reminders() == 0


def test_query_count_does_not_grow_per_recipient_beyond_the_insert(group, organizer):
    small = make_setup(group, organizer, accepted=2, waitlisted=0, prefix="s")
    large = make_setup(
        group, organizer, accepted=12, waitlisted=0, prefix="l", starts_in=timedelta(days=16)
    )
    with CaptureQueriesContext(connection) as small_run:
        assert send_due_reminders(now=small.before(hours=23)) == 2
    with CaptureQueriesContext(connection) as large_run:
        assert send_due_reminders(now=large.before(hours=23)) == 12
    # One INSERT per mail, nothing else per recipient.
    assert len(large_run) - len(small_run) <= 10
    with CaptureQueriesContext(connection) as repeat:
        assert send_due_reminders(now=large.before(hours=23)) == 0
    assert len(repeat) == 4  # events, registrations, opt-outs, keys


def test_reminder_mail_content_in_english(setup, settings, mailoutbox):
    settings.BASE_URL = "https://kaisai.example"
    Event.objects.filter(pk=setup.event.pk).update(
        venue_kind=VenueKind.HYBRID,
        latitude=Decimal("35.658034"),
        longitude=Decimal("139.701636"),
        stream_url="https://www.youtube.com/watch?v=abc",
        participant_info="Enter by the **side door** & say hi.",
        title="ML Casual Talks #5 & friends",
    )
    registration = setup.accepted[0]
    send_due_reminders(now=setup.before(hours=23))
    deliver_due_mail()
    message = next(m for m in reminders_in(mailoutbox) if m.to == [registration.user.email])
    body = message.body
    assert "ML Casual Talks #5 & friends" in message.subject  # plain text: not escaped
    assert "Reminder" in message.subject
    assert "Sponsor Inc. 10F" in body and "1-2-3 Shibuya" in body
    assert "https://www.openstreetmap.org/?mlat=35.658034" in body
    assert "https://www.youtube.com/watch?v=abc" in body
    assert "Enter by the **side door** & say hi." in body
    assert "(Asia/Tokyo)" in body
    ticket = Ticket.objects.get(registration=registration)
    assert f"https://kaisai.example/t/{ticket.token}/" in body
    cancel = re.search(r"https://kaisai\.example/mail/cancel/([^/\s]+)/", body)
    assert cancel is not None
    assert links.registration_for_cancel(cancel.group(1)) == registration


def test_reminder_mail_follows_the_recipients_language(setup, mailoutbox):
    japanese, english = setup.accepted
    japanese.user.preferred_language = "ja"
    japanese.user.save()
    english.user.preferred_language = "en"
    english.user.save()
    send_due_reminders(now=setup.before(hours=23))
    languages = {m.recipient_id: m.language for m in mails("event_reminder")}
    assert languages == {japanese.user_id: "ja", english.user_id: "en"}
    deliver_due_mail()
    by_address = {m.to[0]: m for m in reminders_in(mailoutbox)}
    ja_body = by_address[japanese.user.email].body
    en_body = by_address[english.user.email].body
    assert f"{japanese.user.name} 様" in ja_body and "イベント:" in ja_body
    assert f"Hello {english.user.name}," in en_body and "Event:" in en_body


def test_reminder_html_part_renders_with_links(setup, settings, mailoutbox):
    """The outbox sends mail/event_reminder.html as the HTML part: same facts, Markdown of the
    participant information sanitised."""
    settings.BASE_URL = "https://kaisai.example"
    Event.objects.filter(pk=setup.event.pk).update(participant_info="<script>x</script> **Door B**")
    send_due_reminders(now=setup.before(hours=1))
    deliver_due_mail()
    message = reminders_in(mailoutbox)[0]
    html = dict((kind, body) for body, kind in message.alternatives)["text/html"]
    assert '<html lang="en">' in html
    assert "https://kaisai.example/mail/cancel/" in html
    assert "https://kaisai.example/t/" in html
    assert "<strong>Door B</strong>" in html
    assert "<script>" not in html
    assert ">I can't come<" in html
