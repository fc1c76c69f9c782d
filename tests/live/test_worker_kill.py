"""A mail worker killed (SIGKILL) in the middle of a batch, and a new one started: every mail
arrives, and a mail arrives twice only if the kill fell between the SMTP server's 250 reply and
the worker's COMMIT — the one window SMTP leaves open (RFC 1047). Such a duplicate carries the
same Message-ID, so receivers that deduplicate drop it.

What is asserted:
- every one of the mails is received at least once, and every row ends SENT;
- a key is received twice only if it was received before the kill and its row was still
  pending after it (the mails in flight at the kill: those of the chunk whose transaction the
  kill rolled back, at most outbox_send.CHUNK), both copies with the same Message-ID;
- the second test forces the kill into that window (the server keeps a mail and holds its
  250 back until the worker is dead): that mail and the others its chunk had sent (before it,
  or meanwhile over the worker's other connection) arrive twice, nothing else.

PostgreSQL only (the worker is another process; SQLite's test database is in memory)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from kaisai.accounts.services import create_users_without_password
from kaisai.core import outbox
from kaisai.core.models import OutboxMail
from kaisai.core.outbox_send import CHUNK
from kaisai.notices.enums import Audience
from kaisai.notices.services.messages import send_message
from kaisai.registrations import services
from tests.core.smtp_counting import CountingSmtpServer
from tests.factories import EventFactory, UserFactory
from tests.live.conftest import database_url, needs_postgres

pytestmark = [needs_postgres, pytest.mark.django_db(transaction=True)]

MAILS = 200
KILL_AFTER = 60

WORKER = """
import time, django
django.setup()
from kaisai.core.outbox import deliver_due_mail
while True:
    if not deliver_due_mail(limit=1000):
        time.sleep(0.05)
"""


@pytest.fixture
def smtp() -> Iterator[CountingSmtpServer]:
    server = CountingSmtpServer()
    server.inbox.delay = 0.01  # 10 ms per mail: the batch is long enough to be killed in
    server.start()
    yield server
    server.stop()


def start_worker(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "DJANGO_SETTINGS_MODULE": "kaisai.settings",
        "KAISAI_TESTING": "1",
        "SECRET_KEY": "live-test-key",
        "KAISAI_DATA_DIR": "/nonexistent-kaisai-data",  # no demo env file (var/kaisai.env)
        "KAISAI_LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen([sys.executable, "-c", WORKER], env=env)


def queue_mails(group, organizer) -> list[str]:
    frame = services.create_frame(event=EventFactory(group=group), by=organizer, capacity=1,
                                  name="General")  # fmt: skip
    registration = services.register(frame=frame, user=UserFactory())
    OutboxMail.objects.all().delete()
    people = create_users_without_password(nicknames=[f"kill{i}" for i in range(MAILS)])
    keys = []
    for person in people:
        key = f"kill-{person.pk}"
        outbox.queue_mail(key=key, user=person, template="registration_received",
                          context={"registration": registration})  # fmt: skip
        keys.append(key)
    return keys


def queue_message(group, organizer) -> list[str]:
    """An organizer's message to MAILS registrants (send_message: one outbox row each)."""
    event = EventFactory(group=group)
    frame = services.create_frame(event=event, by=organizer, capacity=MAILS, name="General")
    for person in create_users_without_password(nicknames=[f"msg{i}" for i in range(MAILS)]):
        services.register(frame=frame, user=person)
    OutboxMail.objects.all().delete()
    send_message(event=event, by=organizer, audience=Audience.REGISTRANTS,
                 subject="Room change", body="We moved to room 2.")  # fmt: skip
    keys = list(OutboxMail.objects.values_list("key", flat=True))
    assert len(keys) == MAILS
    return keys


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def kill(worker: subprocess.Popen) -> None:
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)


def pending_keys() -> set[str]:
    return set(OutboxMail.objects.filter(state="pending").values_list("key", flat=True))


def finish(smtp: CountingSmtpServer) -> None:
    worker = start_worker(smtp.port)
    try:
        wait_for(lambda: not pending_keys(), 180, "the second worker to send everything")
    finally:
        kill(worker)


def in_flight_after_kill(smtp: CountingSmtpServer) -> set[str]:
    """Keys the server has but whose row is still pending once the dead worker's transaction
    is rolled back (PostgreSQL notices the closed connection and releases the row)."""
    time.sleep(0.5)
    return set(smtp.inbox.keys()) & pending_keys()


@pytest.mark.parametrize("queue", [queue_mails, queue_message], ids=["mails", "message"])
def test_worker_killed_mid_batch_resumes_without_losing_mail(smtp, group, organizer, queue):
    keys = queue(group, organizer)
    worker = start_worker(smtp.port)
    try:
        wait_for(lambda: smtp.inbox.count >= KILL_AFTER, 120, f"{KILL_AFTER} mails received")
    finally:
        kill(worker)
    received_at_kill = smtp.inbox.count
    window = in_flight_after_kill(smtp)
    assert len(window) <= CHUNK
    assert len(pending_keys()) >= MAILS - received_at_kill  # the kill stopped the batch

    finish(smtp)

    received = smtp.inbox.keys()
    assert set(received) == set(keys)
    duplicates = {key for key, times in received.items() if times > 1}
    assert duplicates <= window and all(received[key] == 2 for key in duplicates)
    for key in duplicates:
        assert len(set(smtp.inbox.message_ids(key))) == 1
    assert OutboxMail.objects.filter(state="sent").count() == MAILS
    print(f"killed after {received_at_kill} received; in the 250→COMMIT window: {len(window)};"
          f" duplicates: {len(duplicates)}")  # fmt: skip


def test_kill_between_the_servers_250_and_commit_sends_that_one_mail_twice(smtp, group, organizer):
    keys = queue_mails(group, organizer)
    smtp.inbox.hold_after = KILL_AFTER  # mail KILL_AFTER + 1 is kept, its 250 held back
    worker = start_worker(smtp.port)
    try:
        assert smtp.inbox.holding.wait(timeout=120)
    finally:
        kill(worker)
    smtp.inbox.release.set()
    held = str(smtp.inbox.messages[KILL_AFTER]["X-Kaisai-Key"])
    window = in_flight_after_kill(smtp)
    assert held in window and len(window) <= CHUNK  # the held mail's chunk, rolled back

    finish(smtp)

    received = smtp.inbox.keys()
    assert set(received) == set(keys)
    assert {key: times for key, times in received.items() if times > 1} == dict.fromkeys(window, 2)
    for key in window:  # same Message-ID: receivers drop it
        assert len(set(smtp.inbox.message_ids(key))) == 1
    assert OutboxMail.objects.filter(state="sent").count() == MAILS
