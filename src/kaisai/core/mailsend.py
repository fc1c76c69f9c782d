"""The SMTP side of the outbox (docs/mail-delivery.md, "Sending"): one connection for a whole
call of `deliver_due_mail`, and the mails of a chunk sent over it one after the other.

With Django's SMTP backend the connection is the backend's own `smtplib.SMTP` (host, port,
TLS, login as configured) and each mail goes out with `sendmail(from, [to], bytes)` — the
bytes Django's backend would send, built beforehand in the main thread. The chunk is sent by a
thread of its own, so that the main thread renders and builds the next chunk while this one
waits for the server's replies (the socket wait releases the GIL). Other backends (locmem in
tests, the demo mailbox, the console) get the message object, in the main thread.

The sender records nothing in the database: it reports an outcome per mail, and the caller
writes them in the transaction that holds the chunk's rows.
"""

from __future__ import annotations

import logging
import smtplib
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

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


@dataclass
class Chunk:
    jobs: Sequence[Job]
    undeliverable: set[str]  # lower-case addresses; a refusal in the chunk is added
    deadline: float  # time.monotonic(): no mail is started after it
    results: list[Result] = field(default_factory=list)
    cancelled: bool = False


class Sender:
    """`start(chunk)` then `wait()`: the chunk's results, in order, up to the first "down",
    the deadline or a `cancel()`; jobs after that were not tried."""

    def __init__(self) -> None:
        self.backend = get_connection(fail_silently=False)
        self.smtp = isinstance(self.backend, SmtpBackend)
        self.opened = 0  # how many times a connection was opened (tests and bench read it)
        self.is_open = False
        self.chunk: Chunk | None = None
        self.thread: threading.Thread | None = None
        self.switch_interval = sys.getswitchinterval()

    def start(self, chunk: Chunk) -> None:
        self.chunk = chunk
        if self.smtp and len(chunk.jobs) > 1:
            sys.setswitchinterval(SWITCH_INTERVAL)
            self.thread = threading.Thread(target=self._run, args=(chunk,), daemon=True)
            self.thread.start()

    def wait(self) -> list[Result]:
        chunk, self.chunk = self.chunk, None
        if chunk is None:
            return []
        if self.thread is not None:
            self.thread.join()
            self.thread = None
            sys.setswitchinterval(self.switch_interval)
        else:
            self._run(chunk)
        return chunk.results

    def cancel(self) -> None:
        """Stop after the mail being sent (the caller is leaving its transaction)."""
        if self.chunk is not None:
            self.chunk.cancelled = True
            self.wait()

    def _run(self, chunk: Chunk) -> None:
        import time

        try:
            for job in chunk.jobs:
                if chunk.cancelled or (chunk.results and time.monotonic() > chunk.deadline):
                    return
                result = self._one(job, chunk.undeliverable)
                chunk.results.append(result)
                if result.outcome == "down":
                    return
        except BaseException:  # a bug here must not leave the rest looking sent
            logger.exception("the mail sender stopped")

    def _one(self, job: Job, undeliverable: set[str]) -> Result:
        address = job.to_email.strip().lower()
        if address in undeliverable:
            return Result(job, "undeliverable", "undeliverable address: not tried")
        if job.error:
            return Result(job, "retry", job.error)
        try:
            self.open()
        except Exception as error:
            return Result(job, "down", f"{type(error).__name__}: {error}")
        try:
            self._send(job)
        except Exception as error:
            text = f"{type(error).__name__}: {error}"
            if is_permanent(error):  # smtplib sent RSET: the connection goes on
                undeliverable.add(address)
                return Result(job, "refused", text)
            self.close()  # the server may have dropped it: reopened for the next mail
            return Result(job, "retry", text)
        return Result(job, "sent", at=timezone.now())

    def _send(self, job: Job) -> None:
        if self.smtp:
            assert job.envelope is not None  # noqa: S101 - built for every SMTP job
            sender, recipients = job.envelope
            self.backend.connection.sendmail(sender, recipients, job.data)
        elif not self.backend.send_messages([job.message]):
            raise smtplib.SMTPException("the mail backend sent nothing")

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
