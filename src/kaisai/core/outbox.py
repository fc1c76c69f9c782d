"""The mail outbox: write a mail in the caller's transaction, send it after commit.

`queue_mail` stores only what to send (template, recipient, a JSON context of model
references) — one INSERT ... ON CONFLICT DO NOTHING, so that it can sit inside a short locked
transaction. The worker's ticker (`deliver_due_mail`, every KAISAI_MAIL_POLL_SECONDS) picks up
what is committed, renders it in the recipient's language from
`templates/mail/<template>.subject.txt`, `<template>.txt` and (if present) `<template>.html`,
sends it as plain text with an HTML alternative over one SMTP connection per batch, and retries
temporary failures with back-off. A mail rolled back with its transaction never existed. The
unique key makes a repeated call a no-op: nobody gets the same mail for the same reason twice.

Delivery is "exactly once as far as SMTP allows" (docs/mail-delivery.md): due rows are claimed
in chunks (SELECT ... FOR UPDATE SKIP LOCKED) and marked sent in the one transaction that
wraps the chunk's SMTP transactions (`outbox_send`, `mailsend`), and a mail's Message-ID is
derived from its key, so that the duplicates SMTP cannot rule out (a crash between the
server's 250 and our COMMIT: at most the one chunk in flight) carry the same Message-ID.
A permanent refusal (5xx on RCPT or DATA) fails the mail at once and marks the address
undeliverable; no more mail is tried to it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
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
from kaisai.core.mailsend import is_permanent  # noqa: F401 - outbox.is_permanent as before
from kaisai.core.models import OutboxMail, UndeliverableAddress

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
# How long one call of deliver_due_mail goes on sending batch after batch.
BATCH_SECONDS = 10.0


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


# --- Sending (kaisai.core.outbox_send, kaisai.core.mailsend) -----------------------------


def deliver_due_mail(
    limit: int = 200, *, now: datetime | None = None, seconds: float = BATCH_SECONDS
) -> int:
    """Send pending mail whose time has come (retries included) over one connection, in
    chunks of at most min(`limit`, outbox_send.CHUNK), each in one transaction, for up to
    `seconds` (then the ticker's other jobs get their turn, and it calls this again at once).
    Returns how many were sent. `now` (tests) moves the clock forward to reach retries."""
    from kaisai.core.outbox_send import deliver_due_mail as deliver_in_chunks

    return deliver_in_chunks(limit, now=now, seconds=seconds)


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


def fail(mail: OutboxMail, error: str, *, permanent: bool) -> None:
    """Record a failed attempt (`mail.attempts` already counts it): back off, or give up on a
    permanent refusal or after MAX_ATTEMPTS."""
    mail.last_error = error[:2000]
    if permanent or mail.attempts >= MAX_ATTEMPTS:
        mail.state = OutboxMail.State.FAILED
    mail.next_attempt_at = timezone.now() + backoff(mail.attempts)
    mail.save()
