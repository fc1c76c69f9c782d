from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from kaisai.core import outbox
from kaisai.core.models import OutboxMail
from kaisai.registrations import services
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def frame(group, organizer):
    return services.create_frame(event=EventFactory(group=group), by=organizer, capacity=1,
                                 name="General")  # fmt: skip


def test_mail_is_sent_after_commit_through_real_smtp(smtp_server, frame, user):
    services.register(frame=frame, user=user)
    assert outbox.deliver_due_mail() == 1
    assert [m["To"] for m in smtp_server.inbox.messages] == [user.email]
    assert frame.event.title in smtp_server.inbox.messages[0]["Subject"]
    assert OutboxMail.objects.get().state == "sent"


def test_nothing_is_sent_when_the_transaction_rolls_back(smtp_server, frame, user):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.register(frame=frame, user=user)
        raise RuntimeError("the request failed after registering")
    assert not OutboxMail.objects.exists()
    assert outbox.deliver_due_mail() == 0
    assert smtp_server.inbox.messages == []


def test_smtp_down_keeps_mail_queued_and_retries_with_backoff(smtp_server, frame):
    people = UserFactory.create_batch(3)
    smtp_server.stop()
    for person in people:
        services.register(frame=frame, user=person)
    assert outbox.deliver_due_mail() == 0
    pending = list(OutboxMail.objects.all())
    assert {m.state for m in pending} == {"pending"} and {m.attempts for m in pending} == {1}
    assert all(m.next_attempt_at > timezone.now() for m in pending)
    assert outbox.deliver_due_mail() == 0  # not due yet: nothing is tried
    smtp_server.start()
    OutboxMail.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert outbox.deliver_due_mail() == 3
    assert outbox.deliver_due_mail() == 0
    assert sorted(m["To"] for m in smtp_server.inbox.messages) == sorted(p.email for p in people)


def test_same_key_is_queued_once(user):
    for _ in range(2):
        outbox.queue_mail(key="k-1", user=user, template="registration_received", context={})
    assert OutboxMail.objects.count() == 1


def test_backoff_grows_and_is_capped():
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert outbox.backoff(50).total_seconds() == 3600
