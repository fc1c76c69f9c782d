"""Chunks (core/outbox_send.py): a refusal, a deferral and a dropped connection in the middle
of one chunk's transaction, and two workers delivering the same queue at once (PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from kaisai.accounts.services import create_users_without_password
from kaisai.core import outbox
from kaisai.core.models import OutboxMail, UndeliverableAddress
from kaisai.core.outbox_send import deliver_due_mail
from kaisai.registrations import services
from tests.conftest import serve_mail_with
from tests.core.smtp_counting import CountingSmtpServer
from tests.factories import EventFactory, UserFactory
from tests.threads import at_once


@pytest.fixture
def smtp(settings) -> Iterator[CountingSmtpServer]:
    yield from serve_mail_with(settings, CountingSmtpServer())


def queue_mails(group, organizer, count: int, prefix: str) -> list[str]:
    frame = services.create_frame(event=EventFactory(group=group), by=organizer, capacity=1,
                                  name="General")  # fmt: skip
    registration = services.register(frame=frame, user=UserFactory())
    OutboxMail.objects.all().delete()
    people = create_users_without_password(nicknames=[f"{prefix}{i}" for i in range(count)])
    for person in people:
        outbox.queue_mail(key=f"{prefix}-{person.pk}", user=person,
                          template="registration_received",
                          context={"registration": registration})  # fmt: skip
    return [f"{prefix}-{person.pk}" for person in people]


@pytest.mark.parametrize("connections", [1, 2])
@pytest.mark.django_db
def test_a_refusal_and_a_deferral_inside_a_chunk(smtp, group, organizer, settings, connections):
    settings.KAISAI_MAIL_SMTP_CONNECTIONS = connections
    keys = queue_mails(group, organizer, 12, "mid")
    rows = {mail.key: mail for mail in OutboxMail.objects.all()}
    refused, deferred = rows[keys[4]].to_email, rows[keys[7]].to_email
    smtp.inbox.refused.add(refused.lower())
    smtp.inbox.deferred.add(deferred.lower())
    assert deliver_due_mail(limit=100, chunk=50) == 10
    states = dict(OutboxMail.objects.values_list("key", "state"))
    assert states[keys[4]] == "failed" and states[keys[7]] == "pending"
    assert [key for key, state in states.items() if state == "sent"] == [
        key for key in keys if key not in (keys[4], keys[7])
    ]
    assert UndeliverableAddress.objects.get().email == refused.lower()
    retry = OutboxMail.objects.get(key=keys[7])
    assert retry.attempts == 1 and "450" in retry.last_error and retry.subject  # kept rendered
    sent = OutboxMail.objects.get(key=keys[0])  # a sent mail keeps what was sent
    assert sent.subject and sent.body and sent.html_body and sent.sent_at is not None
    assert (sent.attempts, sent.last_error) == (1, "")
    assert set(smtp.inbox.keys()) == set(states) - {keys[4], keys[7]}
    if connections == 1:  # the 5xx did not cost the connection; after the 4xx it is reopened
        assert len(set(smtp.inbox.peers)) == 2 and len(set(smtp.inbox.peers[:5])) == 1


@pytest.mark.parametrize("connections", [1, 2])
@pytest.mark.django_db
def test_the_connection_drops_in_the_middle_of_a_chunk(smtp, group, organizer, settings,
                                                       connections):  # fmt: skip
    """The server answers 421 after 7 and goes away: the 7 it took are marked sent in the
    chunk's transaction, the rest of the chunk waits its back-off, and nothing is lost —
    over one connection or two (both then fail: the chunk is recorded as one)."""
    settings.KAISAI_MAIL_SMTP_CONNECTIONS = connections
    keys = queue_mails(group, organizer, 20, "drop")
    inbox = smtp.inbox
    inbox.shut_down_after = 7
    stopper = threading.Thread(target=lambda: inbox.shutting_down.wait(30) and smtp.stop())
    stopper.start()
    assert deliver_due_mail(limit=100, chunk=50) == 7
    stopper.join()
    sent = set(OutboxMail.objects.filter(state="sent").values_list("key", flat=True))
    assert sent == set(inbox.keys()) and len(sent) == 7
    waiting = OutboxMail.objects.filter(state="pending")
    assert waiting.count() == 13 and set(waiting.values_list("attempts", flat=True)) == {1}
    inbox.shut_down_after = None
    inbox.shutting_down.clear()
    smtp.start()
    OutboxMail.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert deliver_due_mail(limit=100) == 13
    assert sorted(inbox.keys()) == sorted(keys) and set(inbox.keys().values()) == {1}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SKIP LOCKED between connections")
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_never_send_the_same_mail(smtp, group, organizer):
    keys = queue_mails(group, organizer, 300, "two")
    smtp.inbox.delay = 0.002  # the chunks overlap in time
    counts = at_once(lambda: deliver_due_mail(limit=1000, chunk=20))
    received = smtp.inbox.keys()
    assert sorted(received) == sorted(keys)
    assert [key for key, times in received.items() if times > 1] == []
    assert sum(counts) == 300 and min(counts) > 0  # both worked, no mail twice
    assert OutboxMail.objects.filter(state="sent").count() == 300


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
@pytest.mark.django_db
def test_the_next_chunk_is_read_down_the_index_without_a_sort(group, organizer):
    """The worker's fetch reads (next_attempt_at, id) order from the index outbox_due, with
    enable_sort off for that one query (stale statistics chose to sort every pending row)
    and back on after it; the rows come in that order, the excluded ones left out."""
    from django.test.utils import CaptureQueriesContext

    from kaisai.core.outbox_send import fetch

    queue_mails(group, organizer, 8, "idx")
    ordered = list(
        OutboxMail.objects.order_by("next_attempt_at", "id").values_list("pk", flat=True)
    )
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        rows = fetch(5, timezone.now(), exclude=ordered[:2])
        with connection.cursor() as cursor:
            cursor.execute("SHOW enable_sort")
            assert cursor.fetchone()[0] == "on"
    assert [mail.pk for mail in rows] == ordered[2:7]
    [sql] = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "outbox_due" in plan and "Sort" not in plan, plan


@pytest.mark.django_db
def test_a_sent_row_keeps_its_own_rendering_when_the_chunk_mixes_them(smtp, group, organizer):
    """Personal mails (the recipient's name) and shared renderings in two languages in one
    chunk: each sent row stores the texts rendered for it (PostgreSQL sends each distinct
    text once with an index per mail), and a personal mail still names its recipient."""
    from kaisai.accounts.models import User
    from kaisai.core.mailrender import render_all
    from kaisai.notices.models import OrganizerMessage

    keys = queue_mails(group, organizer, 6, "mix")
    User.objects.filter(nickname__in=["mix0", "mix1", "mix2"]).update(preferred_language="ja")
    OutboxMail.objects.filter(recipient__nickname__in=["mix0", "mix1", "mix2"]).update(
        language="ja"
    )
    event = EventFactory(group=group)
    message = OrganizerMessage.objects.create(
        event=event, audience="accepted", subject="Doors", body="Doors open at 18:30."
    )
    for person in User.objects.filter(nickname__startswith="mix"):
        outbox.queue_mail(key=f"shared-{person.pk}", user=person, template="organizer_message",
                          context={"message": message, "event": event},
                          batch=message.batch)  # fmt: skip
    assert deliver_due_mail(limit=100, chunk=50) == 12
    rows = list(OutboxMail.objects.all())
    assert {row.state for row in rows} == {"sent"}
    for row in rows:
        assert (row.subject, row.body, row.html_body) == render_all(row), row.key
    personal = OutboxMail.objects.get(key=keys[0])
    assert personal.recipient.nickname in personal.body
    assert len({row.body for row in rows}) > 2


@pytest.mark.django_db(transaction=True)
def test_a_chunk_of_renderings_done_earlier_takes_no_savepoint(smtp, group, organizer):
    """The savepoint that guards rendering is taken before the first rendering that is not
    one done earlier in the call: an organizer's message in one language, in chunks of 3,
    takes one (the first chunk's), and every mail is sent as rendered."""
    from django.test.utils import CaptureQueriesContext

    from kaisai.notices.models import OrganizerMessage

    queue_mails(group, organizer, 9, "sp")
    OutboxMail.objects.all().delete()
    event = EventFactory(group=group)
    message = OrganizerMessage.objects.create(
        event=event, audience="accepted", subject="Doors", body="Doors open at 18:30."
    )
    for person in create_users_without_password(nicknames=[f"sp-{i}" for i in range(9)]):
        outbox.queue_mail(key=f"sp-{person.pk}", user=person, template="organizer_message",
                          context={"message": message, "event": event},
                          batch=message.batch)  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        assert deliver_due_mail(limit=100, chunk=3) == 9
    savepoints = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SAVEPOINT")]
    assert len(savepoints) == 1, savepoints
    assert len(set(OutboxMail.objects.values_list("body", flat=True))) == 1
    assert set(smtp.inbox.keys()) == set(OutboxMail.objects.values_list("key", flat=True))
