"""The mail outbox: write a mail in the caller's transaction, send it after commit.

`queue_mail` stores only what to send (template, recipient, a JSON context of model
references) — one INSERT ... ON CONFLICT DO NOTHING, so that it can sit inside a short locked
transaction. The worker's ticker (`deliver_due_mail`, every KAISAI_MAIL_POLL_SECONDS) picks up
what is committed, renders it in the recipient's language from
`templates/mail/<template>.subject.txt`, `<template>.txt` and (if present) `<template>.html`,
sends it as plain text with an HTML alternative over one SMTP connection per batch, and retries
temporary failures with back-off. A mail rolled back with its transaction never existed. The
unique key makes a repeated call a no-op: nobody gets the same mail for the same reason twice.

Delivery is "exactly once as far as SMTP allows" (docs/mail-delivery.md): a row is claimed
(SELECT ... FOR UPDATE SKIP LOCKED) and marked sent in the one transaction that wraps the SMTP
transaction, and its Message-ID is derived from its key, so that the one duplicate SMTP cannot
rule out (a crash between the server's 250 and our COMMIT) carries the same Message-ID.
A permanent refusal (5xx on RCPT or DATA) fails the mail at once and marks the address
undeliverable; no more mail is tried to it.
"""

from __future__ import annotations

import enum
import hashlib
import logging
import smtplib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from kaisai.core.mailrender import (  # noqa: F401 - outbox.render & co. as before
    ContextCache,
    render,
    render_all,
    render_html,
    render_text,
    text_to_html,
)
from kaisai.core.models import OutboxMail, UndeliverableAddress
from kaisai.core.unavailable import OUTAGE_ERRORS

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
# How long one call of deliver_due_mail goes on sending batch after batch.
BATCH_SECONDS = 10.0


class Outcome(enum.Enum):
    SENT = "sent"
    RETRY = "retry"  # a temporary failure: tried again after back-off
    FAILED = "failed"  # permanent: refused with 5xx, undeliverable, or too many attempts
    SKIPPED = "skipped"  # claimed by another worker, or no longer pending
    DOWN = "down"  # the mail server could not be reached: the rest of the batch waits too


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... capped at one hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def context_refs(context: dict[str, Any]) -> dict[str, Any]:
    """The context as stored: model instances become {"_model", "pk"} references."""
    return {
        name: {"_model": value._meta.label, "pk": value.pk}
        if isinstance(value, models.Model)
        else value
        for name, value in context.items()
    }


def queue_mail(
    *,
    key: str,
    user,
    template: str,
    context: dict[str, Any],
    kind: str = "",
    group=None,
    batch: str = "",
) -> OutboxMail | None:
    """Store a mail to `user` (one INSERT); the worker delivers it once it is committed.

    `kind` (kaisai.notices.enums.MailKind) marks mail the recipient may switch off, about
    `group` (or about no group); it gets List-Unsubscribe headers. `batch` groups the mails of
    one organizer message. Callers sending to many filter opt-outs first."""
    if not user.email:
        return None
    mail = mail_row(
        key=key, user=user, template=template, context=context_refs(context),
        kind=kind, group_id=group.pk if group is not None else None, batch=batch,
    )  # fmt: skip
    # ON CONFLICT DO NOTHING: no savepoint, and a second mail for the same key is dropped.
    OutboxMail.objects.bulk_create([mail], ignore_conflicts=True)
    return mail


def mail_row(
    *,
    key: str,
    user,
    template: str,
    context: dict[str, Any],
    kind: str = "",
    group_id: int | None = None,
    batch: str = "",
    now=None,
) -> OutboxMail:
    """An unsaved outbox row for `user` (`context` already as `context_refs` gives it): the
    one place that says what a queued mail holds, for `queue_mail` and bulk senders."""
    return OutboxMail(
        key=key,
        to_email=user.email,
        recipient=user,
        language=user.preferred_language or settings.LANGUAGE_CODE,
        template=template,
        context=context,
        next_attempt_at=now or timezone.now(),
        kind=kind,
        group_id=group_id,
        batch=batch,
    )


def message_id(key: str) -> str:
    """A Message-ID that is the same on every attempt and every worker: receivers that
    deduplicate by Message-ID drop the one duplicate SMTP cannot rule out."""
    host = urlsplit(settings.BASE_URL).hostname or "kaisai.invalid"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{host}>"


# Apps above core add headers to outgoing mail by appending a function here in their
# AppConfig.ready() (notices: List-Unsubscribe). Core imports no domain app.
HeaderProvider = Callable[[OutboxMail], dict[str, str]]
header_providers: list[HeaderProvider] = []


def add_header_provider(provider: HeaderProvider) -> None:
    """Register `provider(mail) -> headers`, called for every mail built; registering the
    same function again changes nothing."""
    if provider not in header_providers:
        header_providers.append(provider)


def build_message(mail: OutboxMail) -> EmailMultiAlternatives:
    headers = {"Message-ID": message_id(mail.key), "X-Kaisai-Key": mail.key}
    for provider in header_providers:
        headers.update(provider(mail))
    message = EmailMultiAlternatives(
        subject=mail.subject,
        body=mail.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[mail.to_email],
        headers=headers,
    )
    if mail.html_body:
        message.attach_alternative(mail.html_body, "text/html")
    return message


# --- Sending -----------------------------------------------------------------------------


def is_permanent(error: BaseException) -> bool:
    """5xx on RCPT (every recipient refused) or on DATA: the server will never take it."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    return isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500


class Connection:
    """One connection to the mail server for a batch: opened on first use, reopened after
    an error (the server may have dropped it), closed at the end."""

    def __init__(self, backend: BaseEmailBackend | None = None) -> None:
        self.backend = backend or get_connection(fail_silently=False)
        self.opened = 0  # how many times a connection was opened (the benchmark reports it)
        self.is_open = False

    def open(self) -> None:
        if not self.is_open:
            self.backend.open()
            self.is_open = True
            self.opened += 1

    def send(self, message: EmailMultiAlternatives) -> None:
        self.open()
        try:
            sent = self.backend.send_messages([message])
        except Exception as error:
            if not is_permanent(error):  # after a 5xx smtplib sent RSET: the connection goes on
                self.close()
            raise
        if not sent:
            raise smtplib.SMTPException("the mail backend sent nothing")

    def close(self) -> None:
        if self.is_open:
            self.is_open = False
            try:
                self.backend.close()
            except Exception:  # already broken: nothing to close cleanly
                logger.debug("closing the mail connection failed", exc_info=True)


def mark_undeliverable(email: str, reason: str) -> None:
    """Upsert the address (failures + 1): safe when two workers hit it at once."""
    email = email.strip().lower()
    values = {"reason": reason[:2000], "failed_at": timezone.now()}
    rows = UndeliverableAddress.objects.filter(email=email)
    if rows.update(failures=F("failures") + 1, **values):
        return
    try:
        with transaction.atomic():
            UndeliverableAddress.objects.create(email=email, **values)
    except IntegrityError:  # another worker inserted it first
        rows.update(failures=F("failures") + 1, **values)


def _fail(mail: OutboxMail, error: str, *, permanent: bool) -> Outcome:
    mail.last_error = error[:2000]
    if permanent or mail.attempts >= MAX_ATTEMPTS:
        mail.state = OutboxMail.State.FAILED
    mail.next_attempt_at = timezone.now() + backoff(mail.attempts)
    mail.save()
    return Outcome.FAILED if mail.state == OutboxMail.State.FAILED else Outcome.RETRY


def _claim(mail_id: int) -> OutboxMail | None:
    return (
        OutboxMail.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk=mail_id, state=OutboxMail.State.PENDING)
        .select_related("recipient")
        .first()
    )


@dataclass
class Batch:
    """What the mails of one batch share: resolved context models, and the batch's
    undeliverable addresses (read once; those refused during the batch are added)."""

    cache: ContextCache = field(default_factory=dict)
    undeliverable: set[str] | None = None

    @classmethod
    def of(cls, mail_ids: Sequence[int]) -> Batch:
        emails = OutboxMail.objects.filter(pk__in=mail_ids).values_list("to_email", flat=True)
        known = UndeliverableAddress.objects.filter(email__in={e.strip().lower() for e in emails})
        return cls(undeliverable=set(known.values_list("email", flat=True)))

    def is_undeliverable(self, email: str) -> bool:
        email = email.strip().lower()
        if self.undeliverable is None:
            return UndeliverableAddress.objects.filter(email=email).exists()
        return email in self.undeliverable


def deliver(
    mail_id: int, *, connection: Connection | None = None, batch: Batch | None = None
) -> Outcome:
    """Send one pending mail. The row is claimed (FOR UPDATE SKIP LOCKED: two workers never
    send it both) and marked sent in the transaction that wraps the SMTP send: a crash before
    COMMIT leaves it pending, and it is sent again."""
    own = connection is None
    conn = connection or Connection()
    try:
        with transaction.atomic():
            mail = _claim(mail_id)
            if mail is None:
                return Outcome.SKIPPED
            return _send_claimed(mail, conn, batch or Batch())
    finally:
        if own:
            conn.close()


SENT_FIELDS = ["state", "sent_at", "last_error", "attempts", "subject", "body", "html_body"]


def _send_claimed(mail: OutboxMail, conn: Connection, batch: Batch) -> Outcome:
    if batch.is_undeliverable(mail.to_email):
        mail.state = OutboxMail.State.FAILED
        mail.last_error = "undeliverable address: not tried"
        mail.save(update_fields=["state", "last_error"])
        return Outcome.FAILED
    mail.attempts += 1
    if not mail.subject:
        try:
            with transaction.atomic():  # a savepoint: a failing query leaves the row usable
                subject, body, html_body = render_all(mail, batch.cache)
        except OUTAGE_ERRORS:
            raise  # the database went away: not the template's fault; the ticker retries
        except Exception as error:  # a broken template must not block the queue
            logger.exception("rendering mail %s failed", mail.key)
            return _fail(mail, f"rendering: {type(error).__name__}: {error}", permanent=False)
        mail.subject, mail.body, mail.html_body = subject, body, html_body
    message = build_message(mail)
    try:
        conn.open()
    except Exception as error:
        _fail(mail, f"{type(error).__name__}: {error}", permanent=False)
        return Outcome.DOWN
    try:
        conn.send(message)
    except Exception as error:
        text = f"{type(error).__name__}: {error}"
        if is_permanent(error):
            mark_undeliverable(mail.to_email, text)
            if batch.undeliverable is not None:
                batch.undeliverable.add(mail.to_email.strip().lower())
            return _fail(mail, text, permanent=True)
        return _fail(mail, text, permanent=False)
    mail.state = OutboxMail.State.SENT
    mail.sent_at = timezone.now()
    mail.last_error = ""
    mail.save(update_fields=SENT_FIELDS)
    return Outcome.SENT


def _defer(mail_ids: Sequence[int], error: str) -> None:
    """The mail server is unreachable: count an attempt for the rest of the batch and back
    them off as if each had been tried (it would have failed the same way)."""
    with transaction.atomic():
        for mail in OutboxMail.objects.select_for_update(skip_locked=True, of=("self",)).filter(
            pk__in=mail_ids, state=OutboxMail.State.PENDING
        ):
            mail.attempts += 1
            _fail(mail, error, permanent=False)


def deliver_due_mail(
    limit: int = 200, *, now: datetime | None = None, seconds: float = BATCH_SECONDS
) -> int:
    """Send pending mail whose time has come (retries included) over one connection, in
    batches of `limit`: another batch follows a full one, for up to `seconds` (then the
    ticker's other jobs get their turn, and it calls this again at once). Returns how many
    were sent. `now` (tests) moves the clock forward to reach retries."""
    started = time.monotonic()
    conn = Connection()
    sent = 0
    try:
        while True:
            due = list(
                OutboxMail.objects.filter(
                    state=OutboxMail.State.PENDING, next_attempt_at__lte=now or timezone.now()
                )
                .order_by("next_attempt_at", "id")
                .values_list("pk", flat=True)[:limit]
            )
            if not due:
                break
            batch_sent, done = _deliver_batch(due, conn)
            sent += batch_sent
            if done or len(due) < limit or time.monotonic() - started >= seconds:
                break
    finally:
        conn.close()
    return sent


def _deliver_batch(due: list[int], conn: Connection) -> tuple[int, bool]:
    """(sent, stop): stop when the server is down or every row was another worker's."""
    batch = Batch.of(due)
    sent = skipped = 0
    for index, mail_id in enumerate(due):
        outcome = deliver(mail_id, connection=conn, batch=batch)
        if outcome is Outcome.SENT:
            sent += 1
        elif outcome is Outcome.SKIPPED:
            skipped += 1
        elif outcome is Outcome.DOWN:
            error = OutboxMail.objects.filter(pk=mail_id).values_list("last_error", flat=True)
            _defer(due[index + 1 :], error.first() or "mail server unreachable")
            return sent, True
    return sent, skipped == len(due)
