"""The SMTP side of the outbox (docs/mail-delivery.md, "Sending"): the connections of a whole
call of `deliver_due_mail` (KAISAI_MAIL_SMTP_CONNECTIONS, 2), and the mails of a chunk shared
between them.

With Django's SMTP backend each connection is a backend's own `smtplib.SMTP` (host, port,
TLS, login as configured) and each mail goes out with `sendmail(from, [to], bytes)` — the
bytes Django's backend would send, built beforehand in the main thread. Each connection sends
from a thread of its own, taking the chunk's next mail when its last one is answered: while
one waits for the server's reply the other sends, and the main thread renders and builds the
next chunk (the socket waits release the GIL). Other backends (locmem in tests, the demo
mailbox, the console) get the message object, over one connection, in the main thread.

The sender records nothing in the database: it reports an outcome per mail, and the caller
writes them in the transaction that holds the chunk's rows.
"""

from __future__ import annotations

import logging
import smtplib
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.utils import timezone

logger = logging.getLogger(__name__)

# While a chunk is sent in its own thread, the main thread renders: a short switch interval
# hands the GIL back to the sender as soon as the server's reply is in (Python's default,
# 5 ms, would hold each of the four replies of a mail back that long).
SWITCH_INTERVAL = 0.0002


def is_permanent(error: BaseException) -> bool:
    """5xx on RCPT (every recipient refused) or on DATA: the server will never take it."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    return isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500


@dataclass
class Job:
    """One mail ready to go: the message (any backend) and, for SMTP, its envelope and bytes;
    or `error` when it could not be rendered (then nothing is sent)."""

    mail_id: int
    to_email: str
    message: EmailMultiAlternatives | None = None
    envelope: tuple[str, list[str]] | None = None
    data: bytes = b""
    error: str = ""


@dataclass
class Result:
    """What happened to a job: "sent" (at `at`, the server's 250), "refused" (5xx: the
    address is undeliverable), "retry" (4xx, a dropped connection, a render error),
    "undeliverable" (known refused: not tried), "down" (no connection could be opened)."""

    job: Job
    outcome: str
    error: str = ""
    at: datetime | None = None


def _address(job: Job) -> str:
    return job.to_email.strip().lower()


@dataclass
class Chunk:
    """The jobs of one transaction. Sender threads take them in order (`take`); a job's result
    goes to its slot, so the results are in job order whichever connection sent it."""

    jobs: Sequence[Job]
    undeliverable: set[str]  # lower-case addresses; a refusal in the chunk is added
    deadline: float  # time.monotonic(): no mail is started after it (but the chunk's first)
    cancelled: bool = False
    stopped: bool = False  # every connection is down: nothing more is started
    slots: list[Result | None] = field(default_factory=list)
    taken: int = 0
    returned: list[int] = field(default_factory=list)  # taken by a connection that went down
    # The addresses being sent to: a second mail to one waits until the first is answered, so
    # an address refused in the chunk is not tried again on another connection meanwhile.
    in_flight: set[str] = field(default_factory=set)
    lock: threading.Condition = field(default_factory=threading.Condition)

    def __post_init__(self) -> None:
        self.slots = [None] * len(self.jobs)

    def take(self) -> int | None:
        """The index of the next job to send, or None: stop."""
        with self.lock:
            while True:
                if self.cancelled or self.stopped:
                    return None
                if self.taken and time.monotonic() > self.deadline:
                    return None
                if self.returned:
                    index = self.returned.pop(0)
                elif self.taken >= len(self.jobs):
                    return None
                else:
                    index = self.taken
                address = _address(self.jobs[index])
                if address in self.in_flight:
                    if index != self.taken:
                        self.returned.insert(0, index)
                    self.lock.wait(timeout=1.0)
                    continue
                if index == self.taken:
                    self.taken += 1
                self.in_flight.add(address)
                return index

    def answered(self, index: int) -> None:
        """Job `index` is done with (answered or given back); with the lock held."""
        self.in_flight.discard(_address(self.jobs[index]))
        self.lock.notify_all()

    @property
    def results(self) -> list[Result]:
        """The jobs tried, in job order; a job without a result was not started."""
        return [result for result in self.slots if result is not None]


class Link:
    """One connection: a backend of its own (for SMTP its own `smtplib.SMTP`)."""

    def __init__(self) -> None:
        self.backend = get_connection(fail_silently=False)
        self.is_open = False
        self.down = False  # could not be opened in this call: not used again
        self.opened = 0

    def open(self) -> None:
        if not self.is_open:
            self.backend.open()
            self.is_open = True
            self.opened += 1

    def close(self) -> None:
        if self.is_open:
            self.is_open = False
            try:
                self.backend.close()
            except Exception:  # already broken: nothing to close cleanly
                logger.debug("closing the mail connection failed", exc_info=True)


class Sender:
    """`start(chunk)` then `wait()`: the chunk's results, in job order, up to the first "down"
    of the last connection, the deadline or a `cancel()`; jobs not started have no result.

    With SMTP, `KAISAI_MAIL_SMTP_CONNECTIONS` connections (default 2), each in a thread of its
    own, take the chunk's jobs one at a time: while one waits for the server's reply the other
    sends. A connection that cannot be opened while another one works gives its job back and
    is left out for the rest of the call; only when none can be opened is the job "down"."""

    def __init__(self, connections: int | None = None) -> None:
        first = Link()
        self.smtp = isinstance(first.backend, SmtpBackend)
        if connections is None:
            connections = getattr(settings, "KAISAI_MAIL_SMTP_CONNECTIONS", 2)
        count = max(1, connections) if self.smtp else 1
        self.links = [first] + [Link() for _ in range(count - 1)]
        self.backend = first.backend
        self.chunk: Chunk | None = None
        self.threads: list[threading.Thread] = []
        self.switch_interval = sys.getswitchinterval()

    @property
    def opened(self) -> int:
        """How many times a connection was opened (tests and the bench read it)."""
        return sum(link.opened for link in self.links)

    def start(self, chunk: Chunk) -> None:
        self.chunk = chunk
        if self.smtp and len(chunk.jobs) > 1:
            sys.setswitchinterval(SWITCH_INTERVAL)
            links = [link for link in self.links if not link.down][: len(chunk.jobs)]
            self.threads = [
                threading.Thread(target=self._run, args=(chunk, link), daemon=True)
                for link in links
            ]
            for thread in self.threads:
                thread.start()

    def wait(self) -> list[Result]:
        chunk, self.chunk = self.chunk, None
        if chunk is None:
            return []
        if self.threads:
            for thread in self.threads:
                thread.join()
            self.threads = []
            sys.setswitchinterval(self.switch_interval)
        else:
            link = next((link for link in self.links if not link.down), self.links[0])
            self._run(chunk, link)
        return chunk.results

    def cancel(self) -> None:
        """Stop after the mails being sent (the caller is leaving its transaction)."""
        if self.chunk is not None:
            self.chunk.cancelled = True
            self.wait()

    def _run(self, chunk: Chunk, link: Link) -> None:
        try:
            while (index := chunk.take()) is not None:
                try:
                    result = self._one(chunk.jobs[index], chunk.undeliverable, link)
                except BaseException:
                    with chunk.lock:
                        chunk.answered(index)
                    raise
                with chunk.lock:
                    chunk.answered(index)
                    if result.outcome == "down":
                        link.down = True
                        if not all(other.down for other in self.links):
                            chunk.returned.append(index)  # another connection sends it
                            logger.warning("a mail connection could not be opened: %s; "
                                           "going on with the others", result.error)  # fmt: skip
                            return
                        chunk.stopped = True
                    chunk.slots[index] = result
                if result.outcome == "down":
                    return
        except BaseException:  # a bug here must not leave the rest looking sent
            logger.exception("the mail sender stopped")

    def _one(self, job: Job, undeliverable: set[str], link: Link) -> Result:
        address = _address(job)
        if address in undeliverable:
            return Result(job, "undeliverable", "undeliverable address: not tried")
        if job.error:
            return Result(job, "retry", job.error)
        try:
            link.open()
        except Exception as error:
            return Result(job, "down", f"{type(error).__name__}: {error}")
        try:
            self._send(job, link)
        except Exception as error:
            text = f"{type(error).__name__}: {error}"
            if is_permanent(error):  # smtplib sent RSET: the connection goes on
                undeliverable.add(address)
                return Result(job, "refused", text)
            link.close()  # the server may have dropped it: reopened for the next mail
            return Result(job, "retry", text)
        return Result(job, "sent", at=timezone.now())

    def _send(self, job: Job, link: Link) -> None:
        if self.smtp:
            assert job.envelope is not None  # noqa: S101 - built for every SMTP job
            sender, recipients = job.envelope
            link.backend.connection.sendmail(sender, recipients, job.data)
        elif not link.backend.send_messages([job.message]):
            raise smtplib.SMTPException("the mail backend sent nothing")

    def close(self) -> None:
        for link in self.links:
            link.close()
