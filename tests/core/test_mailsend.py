"""The sender's connections (core/mailsend.py, KAISAI_MAIL_SMTP_CONNECTIONS): two connections
share a chunk, each mail goes out once, and a connection that cannot be opened hands its mail
to the other — only when none can be opened is the mail "down"."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from kaisai.core.mailsend import Chunk, Job, Sender
from tests.conftest import serve_mail_with
from tests.core.smtp_counting import CountingSmtpServer
from tests.smtp import free_port


@pytest.fixture
def smtp(settings) -> Iterator[CountingSmtpServer]:
    yield from serve_mail_with(settings, CountingSmtpServer())


def jobs(count: int, prefix: str = "k") -> list[Job]:
    made = []
    for index in range(count):
        to = f"person{index}@example.com"
        data = (
            f"From: kaisai <noreply@localhost>\r\nTo: {to}\r\nSubject: hello\r\n"
            f"X-Kaisai-Key: {prefix}-{index}\r\n\r\nHello {index}\r\n"
        ).encode()
        made.append(Job(index, to, envelope=("noreply@localhost", [to]), data=data))
    return made


def send(sender: Sender, chunk_jobs: list[Job]) -> list:
    chunk = Chunk(chunk_jobs, set(), time.monotonic() + 60)
    sender.start(chunk)
    try:
        return sender.wait()
    finally:
        sender.close()


def test_two_connections_send_every_mail_of_a_chunk_once(smtp):
    smtp.inbox.delay = 0.002  # each reply waits: the other connection sends meanwhile
    sender = Sender(connections=2)
    assert len(sender.links) == 2
    results = send(sender, jobs(60))
    assert [r.job.mail_id for r in results] == list(range(60))  # in job order
    assert {r.outcome for r in results} == {"sent"}
    received = smtp.inbox.keys()
    assert sorted(received) == sorted(f"k-{i}" for i in range(60))
    assert set(received.values()) == {1}
    assert len(set(smtp.inbox.peers)) == 2 and sender.opened == 2  # both connections sent


def test_the_setting_gives_the_number_of_connections(smtp, settings):
    settings.KAISAI_MAIL_SMTP_CONNECTIONS = 3
    assert len(Sender().links) == 3
    settings.KAISAI_MAIL_SMTP_CONNECTIONS = 1
    assert len(Sender().links) == 1


def test_other_backends_get_one_connection(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.KAISAI_MAIL_SMTP_CONNECTIONS = 2
    sender = Sender()
    assert not sender.smtp and len(sender.links) == 1


def test_a_connection_that_cannot_be_opened_hands_its_mail_to_the_other(smtp):
    """A relay that takes one connection only: the second is refused; every mail still goes
    out once over the first, none is reported down, and the refused one is not tried again."""
    sender = Sender(connections=2)
    sender.links[1].backend.port = free_port()  # nothing listens there
    results = send(sender, jobs(30))
    assert [r.outcome for r in results] == ["sent"] * 30
    assert sorted(smtp.inbox.keys()) == sorted(f"k-{i}" for i in range(30))
    assert set(smtp.inbox.keys().values()) == {1} and len(set(smtp.inbox.peers)) == 1
    assert sender.links[1].down and not sender.links[0].down
    more = Chunk(jobs(5, "m"), set(), time.monotonic() + 60)
    sender.start(more)
    assert [r.outcome for r in sender.wait()] == ["sent"] * 5
    assert sender.links[1].opened == 0


def test_when_no_connection_can_be_opened_the_mail_is_down(smtp):
    sender = Sender(connections=2)
    closed = free_port()
    for link in sender.links:
        link.backend.port = closed
    results = send(sender, jobs(10))
    # One mail is reported down (the caller backs it and the rest off); the others were not
    # started: they have no result and stay as they were.
    assert [r.outcome for r in results] == ["down"]
    assert "ConnectionRefusedError" in results[0].error
    assert smtp.inbox.count == 0 and all(link.down for link in sender.links)


def test_a_second_mail_to_an_address_waits_for_the_first_ones_answer():
    """Two connections never send to one address at once: a refusal of the first is known
    before the second is tried (test_outbox_delivery: not tried again in the chunk)."""
    import threading

    jobs = [
        Job(mail_id=1, to_email="Gone@example.com"),
        Job(mail_id=2, to_email="gone@example.com "),
    ]
    chunk = Chunk(jobs=jobs, undeliverable=set(), deadline=time.monotonic() + 60)
    assert chunk.take() == 0
    second: list[int | None] = []
    taker = threading.Thread(target=lambda: second.append(chunk.take()))
    taker.start()
    taker.join(timeout=0.3)
    assert taker.is_alive() and second == []  # waiting for the first's answer
    with chunk.lock:
        chunk.answered(0)
    taker.join(timeout=10)
    assert second == [1]
    assert chunk.take() is None
