"""Delivering due outbox mail in chunks (docs/mail-delivery.md, "Sending"): `deliver_due_mail`.

A chunk is at most CHUNK mails (and CHUNK_SECONDS of sending) in **one transaction**:

    BEGIN
      claim: SELECT id … WHERE id IN (the prepared chunk) AND state = 'pending' AND due
             FOR UPDATE SKIP LOCKED
      the sender threads send the claimed mails, each over its own connection
      (KAISAI_MAIL_SMTP_CONNECTIONS, 2), taking the next one as soon as it is free;
      meanwhile this thread reads, renders and builds the next chunk (SELECT … FOR UPDATE SKIP
      LOCKED, so that other workers take other rows)
      UPDATE … SET state = 'sent' … for every mail with its 250 (one statement, executemany);
      each failure recorded as before (back-off, or failed + undeliverable on a 5xx)
    COMMIT

A crash (or lost database) before COMMIT rolls the chunk back: its mails are pending again
and are sent again, including those the server had accepted — the in-flight mails, at most
one chunk per worker.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.mail.message import sanitize_address
from django.db import DatabaseError, connection, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from kaisai.core.mailmime import message_bytes
from kaisai.core.mailrender import (
    ContextCache,
    already_rendered,
    recipient_independent,
    render_shared,
)
from kaisai.core.mailsend import Chunk, Job, Result, Sender
from kaisai.core.models import OutboxMail, UndeliverableAddress
from kaisai.core.unavailable import OUTAGE_ERRORS

logger = logging.getLogger(__name__)

# At most this many mails in one transaction: what a crash may send twice (see above).
CHUNK = 50
# No mail of a chunk is started after this many seconds: bounds the transaction (on SQLite the
# write lock) when the relay is slow. The mails not started stay pending, untouched.
CHUNK_SECONDS = 0.25


class Prepared:
    """The rows of the next chunk, rendered and built, and their undeliverable addresses."""

    def __init__(self, rows: list[OutboxMail], sender: Sender, cache: ContextCache) -> None:
        self.rows = {mail.pk: mail for mail in rows}
        self.fetched_subjects = {mail.pk: mail.subject for mail in rows}
        self.jobs: list[Job] = []
        self.undeliverable: set[str] = set()
        if not rows:
            return
        emails = {mail.to_email.strip().lower() for mail in rows}
        known = UndeliverableAddress.objects.filter(email__in=emails)
        self.undeliverable = set(known.values_list("email", flat=True))
        # The recipient (the whole account) is read only for the mails whose templates name it.
        personal = [mail for mail in rows if not mail.subject and mail.recipient_id is not None
                    and not recipient_independent(mail.template)]  # fmt: skip
        prefetch_related_objects(personal, "recipient")
        # Rendering may read the database: a savepoint before the first rendering that is
        # not one done earlier in the call (those read nothing), so that a broken one can be
        # rolled back without the chunk's transaction.
        savepoint = None
        broken = False
        for mail in rows:
            job = Job(mail.pk, mail.to_email)
            if not mail.subject:
                if savepoint is None and not already_rendered(mail, cache):
                    savepoint = transaction.savepoint()
                try:
                    mail.subject, mail.body, mail.html_body = render_shared(mail, cache)
                except OUTAGE_ERRORS:
                    raise  # the database went away: not the template's fault; the ticker retries
                except Exception as error:  # a broken template must not block the queue
                    logger.exception("rendering mail %s failed", mail.key)
                    job.error = f"rendering: {type(error).__name__}: {error}"
                    broken = isinstance(error, DatabaseError)
            if not job.error:
                build(job, mail, sender.smtp)
            self.jobs.append(job)
            if broken:  # the transaction needs its savepoint rolled back: the rest waits
                break
        if savepoint is not None and broken:
            transaction.savepoint_rollback(savepoint)
        elif savepoint is not None:
            transaction.savepoint_commit(savepoint)

    def carry(self, last: Prepared, jobs: list[Job]) -> Prepared:
        """These, the jobs of the `last` chunk its deadline left unsent (their rows pending and
        unchanged), first — as they were built."""
        for job in jobs:
            self.rows[job.mail_id] = last.rows[job.mail_id]
            self.fetched_subjects[job.mail_id] = last.fetched_subjects[job.mail_id]
        self.jobs = jobs + self.jobs
        self.undeliverable |= last.undeliverable
        return self


def build(job: Job, mail: OutboxMail, smtp: bool) -> None:
    """The message; for SMTP also its envelope and bytes, as Django's SMTP backend makes them."""
    from kaisai.core.outbox import build_message

    message = build_message(mail)
    job.message = message
    if smtp:
        encoding = message.encoding or settings.DEFAULT_CHARSET
        job.envelope = (
            envelope_address(message.from_email, encoding),
            [envelope_address(address, encoding) for address in message.recipients()],
        )
        job.data = message_bytes(message) or message.message().as_bytes(linesep="\r\n")


SIMPLE_ADDRESS = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+")


@lru_cache(maxsize=64)
def _sanitized(address: str, encoding: str) -> str:
    return sanitize_address(address, encoding)


def envelope_address(address: str, encoding: str) -> str:
    """What Django's SMTP backend gives smtplib (`sanitize_address`): a plain ASCII address is
    itself; the rest (display names, IDN) goes through Django (the sender's is remembered)."""
    if SIMPLE_ADDRESS.fullmatch(address):
        return address
    return _sanitized(address, encoding)


def fetch(limit: int, now: datetime, exclude: Sequence[int] = ()) -> list[OutboxMail]:
    rows = (
        OutboxMail.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(state=OutboxMail.State.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
    )
    if exclude:
        rows = rows.exclude(pk__in=exclude)
    if connection.vendor != "postgresql":
        return list(rows[:limit])
    with connection.cursor() as cursor:  # the index's order, whatever the statistics say
        cursor.execute(
            "SELECT current_setting('enable_sort'), set_config('enable_sort', 'off', true)"
        )
        before = cursor.fetchone()[0]
        fetched = list(rows[:limit])  # (an error aborts the transaction, and the SET with it)
        cursor.execute("SELECT set_config('enable_sort', %s, true)", [before])
    return fetched


# Why enable_sort is off for that one query on PostgreSQL: the rows are read in the order of
# the index outbox_due (state, next_attempt_at, id), 50 at a time. When a message of
# thousands has just been queued the planner's statistics still say that hardly any row is
# pending, and it chose to read every pending row (bodies and all), sort them (on disk) and
# keep 50: 50 ms per chunk at 4,000 pending, instead of 1 ms down the index.


def claim(prepared: Prepared, now: datetime) -> list[Job]:
    """The prepared jobs whose rows this transaction now holds, still pending and due, and as
    they were rendered (a row another worker has meanwhile rendered and stored waits)."""
    claimed = {
        pk: (subject, attempts)
        for pk, subject, attempts in OutboxMail.objects.select_for_update(skip_locked=True)
        .filter(pk__in=list(prepared.rows), state=OutboxMail.State.PENDING)
        .filter(next_attempt_at__lte=now)
        .values_list("pk", "subject", "attempts")
    }
    jobs = []
    for job in prepared.jobs:
        if job.mail_id in claimed:
            subject, attempts = claimed[job.mail_id]
            if subject == prepared.fetched_subjects[job.mail_id]:
                prepared.rows[job.mail_id].attempts = attempts
                jobs.append(job)
    return jobs


def mark_sent(sent: list[tuple[Any, ...]]) -> None:
    """(sent_at, subject, body, html_body, id) of each mail with its 250: on PostgreSQL one
    UPDATE from arrays (unnest), elsewhere one statement per mail (executemany)."""
    table = connection.ops.quote_name(OutboxMail._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Each distinct text once (the chunk's mails mostly share a rendering), and per
            # mail its index in that array: 50 copies of a body are not quoted and sent.
            texts: dict[str, int] = {}
            rows = [
                (at, *(texts.setdefault(text, len(texts) + 1) for text in (subject, body, html)),
                 pk)
                for at, subject, body, html, pk in sent
            ]  # fmt: skip
            columns = [list(column) for column in zip(*rows, strict=True)]
            cursor.execute(
                f"UPDATE {table} AS o SET state = 'sent', sent_at = v.at, last_error = '', "  # noqa: S608 - our table's name
                "attempts = o.attempts + 1, subject = t.texts[v.subject], "
                "body = t.texts[v.body], html_body = t.texts[v.html] "
                "FROM unnest(%s::timestamptz[], %s::int[], %s::int[], %s::int[], %s::bigint[]) "
                "AS v(at, subject, body, html, id), (SELECT %s::text[] AS texts) AS t "
                "WHERE o.id = v.id",
                [*columns, list(texts)],
            )
            return
        cursor.executemany(
            f"UPDATE {table} SET state = 'sent', sent_at = %s, last_error = '', "  # noqa: S608 - our table's name
            "attempts = attempts + 1, subject = %s, body = %s, html_body = %s WHERE id = %s",
            sent,
        )


def record(results: list[Result], rows: dict[int, OutboxMail]) -> list[str]:
    """Write the chunk's outcomes; returns the addresses refused with 5xx."""
    from kaisai.core.outbox import fail, mark_undeliverable

    adapt = connection.ops.adapt_datetimefield_value
    sent: list[tuple[Any, ...]] = [
        (adapt(r.at), rows[r.job.mail_id].subject, rows[r.job.mail_id].body,
         rows[r.job.mail_id].html_body, r.job.mail_id)
        for r in results if r.outcome == "sent"
    ]  # fmt: skip
    if sent:
        mark_sent(sent)
    refused = []
    for result in results:
        mail = rows[result.job.mail_id]
        if result.outcome == "undeliverable":
            mail.state = OutboxMail.State.FAILED
            mail.last_error = result.error
            mail.save(update_fields=["state", "last_error"])
        elif result.outcome in ("refused", "retry", "down"):
            mail.attempts += 1
            if result.outcome == "refused":
                mark_undeliverable(mail.to_email, result.error)
                refused.append(mail.to_email.strip().lower())
            fail(mail, result.error, permanent=result.outcome == "refused")
    return refused


def defer_due(limit: int, now: datetime, error: str, tried: Sequence[int]) -> None:
    """The mail server is unreachable: count an attempt for the rest of the batch (up to
    `limit` due rows) and back them off as if each had been tried."""
    from kaisai.core.outbox import fail

    for mail in fetch(limit, now, tried):
        mail.attempts += 1
        fail(mail, error, permanent=False)


def deliver_due_mail(
    limit: int = 200,
    *,
    now: datetime | None = None,
    seconds: float = 10.0,
    chunk: int = CHUNK,
    chunk_seconds: float = CHUNK_SECONDS,
) -> int:
    """Send due pending mail in chunks of min(`limit`, `chunk`) over the sender's connections:
    the first `limit` mails, then more for up to `seconds` (then the ticker's other jobs get their
    turn); returns how many were sent."""
    started = time.monotonic()
    size = max(1, min(limit, chunk))
    sender = Sender()
    cache: ContextCache = {}
    refused: set[str] = set()
    sent = 0
    prepared: Prepared | None = None
    drained = False  # the last fetch found fewer than it asked for
    taken = 0  # mails tried: the first `limit` go through whatever `seconds` says
    try:
        while True:
            due = now or timezone.now()
            with transaction.atomic():
                if prepared is None:
                    prepared = Prepared(fetch(size, due), sender, cache)
                    drained = len(prepared.rows) < size
                if not prepared.rows:
                    break
                claimed = claim(prepared, due)
                jobs, backlog = claimed[:size], claimed[size:]  # at most `size` in flight
                work = Chunk(jobs, prepared.undeliverable | refused,
                             time.monotonic() + chunk_seconds)  # fmt: skip
                sender.start(work)
                try:
                    more = (
                        (taken + len(jobs) < limit or time.monotonic() - started < seconds)
                        and not drained
                        and not backlog
                    )
                    upcoming = None
                    if more:
                        rows = fetch(size, due, list(prepared.rows))
                        upcoming, drained = Prepared(rows, sender, cache), len(rows) < size
                    results = sender.wait()
                finally:
                    sender.cancel()
                refused.update(record(results, prepared.rows))
                sent += sum(result.outcome == "sent" for result in results)
                down = [result for result in results if result.outcome == "down"]
                if down:  # no connection could be opened
                    tried = [result.job.mail_id for result in results]
                    defer_due(limit - len(results), due, down[0].error, tried)
                    break
            tried_ids = {result.job.mail_id for result in results}
            # Not started (the deadline came first): the next chunk, as built.
            left = [job for job in jobs if job.mail_id not in tried_ids] + backlog
            taken += len(results)
            if taken >= limit and time.monotonic() - started >= seconds:
                break
            if not left and upcoming is None:
                break
            upcoming = upcoming or Prepared([], sender, cache)
            prepared = upcoming.carry(prepared, left)
    finally:
        sender.close()
    return sent
