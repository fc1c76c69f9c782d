"""One-click cancel from a real reminder mail: the reminder goes through a real SMTP server,
Chromium opens the "I can't come" link from the received mail, confirms, and the next person
on the waitlist gets the seat (and their promotion mail) at once."""

from __future__ import annotations

import re
import time

import pytest
from django.db import connections
from playwright.sync_api import expect

from kaisai.core.models import OutboxMail
from kaisai.core.outbox import deliver_due_mail
from kaisai.notices.services.reminders import send_due_reminders
from kaisai.registrations.enums import Status
from kaisai.registrations.models import Registration
from tests.factories import GroupFactory, UserFactory
from tests.notices.reminder_helpers import make_setup

pytestmark = pytest.mark.browser


def received(server, key_prefix: str) -> list:
    return [m for m in server.inbox.messages if m["X-Kaisai-Key"].startswith(key_prefix)]


def wait_for(server, key_prefix: str, count: int = 1, timeout: float = 10.0) -> list:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = received(server, key_prefix)
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError(f"no mail {key_prefix}* received")


def test_cancel_from_the_reminder_mail_promotes_the_next_person(
    page, live_server, smtp_server, settings
):
    try:
        cancel_from_the_reminder(page, live_server, smtp_server, settings)
    finally:
        # On PostgreSQL, the connection the ORM calls above used while Playwright's loop ran
        # would stay open and keep the test database from being dropped after the run.
        connections["default"].close()


def cancel_from_the_reminder(page, live_server, smtp_server, settings) -> None:
    settings.BASE_URL = live_server.url
    organizer = UserFactory(nickname="founder")
    group = GroupFactory(slug="mlct", title="Machine Learning Casual Talks", owner=organizer)
    setup = make_setup(group, organizer, accepted=2, waitlisted=2, prefix="ml")
    leaving = setup.accepted[0]
    next_in_line, still_waiting = setup.waitlisted

    # The reminder, one day before, delivered to a real SMTP server.
    assert send_due_reminders(now=setup.before(hours=23)) == 2
    deliver_due_mail()
    mail = next(
        m for m in wait_for(smtp_server, "reminder-", count=2) if m["To"] == leaving.user.email
    )
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert setup.event.title in body
    link = re.search(re.escape(live_server.url) + r"/mail/cancel/[^/\s]+/", body)
    assert link is not None, body

    # Chromium follows the link: a confirmation first, nothing changes yet.
    page.goto(link.group(0))
    expect(page.get_by_role("heading", name="Can't come?")).to_be_visible()
    expect(page.get_by_text(setup.event.title).first).to_be_visible()
    assert Registration.objects.get(pk=leaving.pk).status == Status.ACCEPTED

    page.get_by_role("button", name="Yes, cancel my registration").click()
    expect(page.get_by_role("heading", name="Your seat was released")).to_be_visible()

    # The seat went to the head of the waitlist at once, with its mail queued and sent.
    assert Registration.objects.get(pk=leaving.pk).status == Status.CANCELLED
    assert Registration.objects.get(pk=next_in_line.pk).status == Status.ACCEPTED
    assert Registration.objects.get(pk=still_waiting.pk).status == Status.WAITLISTED
    promotion = OutboxMail.objects.get(
        template="registration_promoted", recipient=next_in_line.user
    )
    deliver_due_mail()
    sent = wait_for(smtp_server, promotion.key)
    assert sent[0]["To"] == next_in_line.user.email

    # Opening the link again is calm.
    page.goto(link.group(0))
    expect(page.get_by_role("heading", name="Already cancelled")).to_be_visible()
