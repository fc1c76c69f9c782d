"""The mail server goes down in the middle of a batch of 500 and comes back: every mail is
delivered exactly once, the ones caught by the outage after back-off."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from kaisai.accounts.services import create_users_without_password
from kaisai.core import outbox
from kaisai.core.models import OutboxMail
from kaisai.registrations import services
from tests.conftest import serve_mail_with
from tests.core.smtp_counting import CountingSmtpServer
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db

MAILS = 500
DOWN_AFTER = 150


@pytest.fixture
def counting_smtp(settings) -> Iterator[CountingSmtpServer]:
    yield from serve_mail_with(settings, CountingSmtpServer())


def queue_500(group, organizer) -> list[str]:
    frame = services.create_frame(event=EventFactory(group=group), by=organizer, capacity=1,
                                  name="General")  # fmt: skip
    registration = services.register(frame=frame, user=UserFactory())
    OutboxMail.objects.all().delete()  # the registration's own mail is not part of the count
    people = create_users_without_password(nicknames=[f"reader{i}" for i in range(MAILS)])
    keys = []
    for person in people:
        key = f"bulk-{person.pk}"
        outbox.queue_mail(key=key, user=person, template="registration_received",
                          context={"registration": registration})  # fmt: skip
        keys.append(key)
    return keys


def test_500_mails_survive_a_server_outage_each_delivered_once(counting_smtp, group, organizer):
    keys = queue_500(group, organizer)
    inbox = counting_smtp.inbox
    inbox.shut_down_after = DOWN_AFTER

    def stop_when_told() -> None:  # the server goes down for real once it starts refusing
        inbox.shutting_down.wait(timeout=60)
        counting_smtp.stop()

    stopper = threading.Thread(target=stop_when_told)
    stopper.start()
    sent = outbox.deliver_due_mail(limit=MAILS)
    stopper.join()

    assert sent == DOWN_AFTER == inbox.count
    waiting = OutboxMail.objects.filter(state="pending")
    assert waiting.count() == MAILS - DOWN_AFTER
    # Every mail caught by the outage counts one attempt and waits its back-off (30 s).
    assert set(waiting.values_list("attempts", flat=True)) == {1}
    assert not waiting.filter(next_attempt_at__lte=timezone.now()).exists()
    assert outbox.deliver_due_mail(limit=MAILS) == 0  # nothing is due: the server is not asked

    # Still down a minute later: one more attempt each, a longer back-off.
    a_minute_later = timezone.now() + timedelta(minutes=1)
    assert outbox.deliver_due_mail(limit=MAILS, now=a_minute_later) == 0
    assert set(waiting.values_list("attempts", flat=True)) == {2}
    assert all(m.last_error for m in waiting)

    inbox.shut_down_after = None
    inbox.shutting_down.clear()
    counting_smtp.start()
    later = timezone.now() + timedelta(hours=1)
    rounds = 0
    while waiting.exists() and rounds < 10:
        outbox.deliver_due_mail(limit=MAILS, now=later)
        rounds += 1

    received = inbox.keys()
    assert set(received) == set(keys)
    assert [key for key, times in received.items() if times != 1] == []
    assert OutboxMail.objects.filter(state="sent").count() == MAILS
    assert inbox.count == MAILS
