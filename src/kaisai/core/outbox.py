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
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.html import linebreaks, urlize
from django.utils.safestring import SafeString, mark_safe

from kaisai.core.models import OutboxMail, UndeliverableAddress
from kaisai.core.unavailable import OUTAGE_ERRORS

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 12


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


def _resolve(value: Any) -> Any:
    if isinstance(value, dict) and "_model" in value:
        model = apps.get_model(value["_model"])
        return model._default_manager.filter(pk=value["pk"]).first()
    return value


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


# --- Rendering ---------------------------------------------------------------------------


def _context(mail: OutboxMail) -> dict[str, Any]:
    context = {name: _resolve(value) for name, value in mail.context.items()}
    context.update(
        {
            "user": mail.recipient,
            "BASE_URL": settings.BASE_URL,
            "SITE_NAME": settings.KAISAI_SITE_NAME,
        }
    )
    return context


def render_text(name: str, context: dict[str, Any]) -> str:
    """A plain-text template, without HTML escaping (a name "A & B" stays "A & B")."""
    return get_template(name).template.render(Context(context, autoescape=False))  # type: ignore[attr-defined]


def render(mail: OutboxMail) -> tuple[str, str]:
    """Subject and plain-text body in the recipient's language."""
    context = _context(mail)
    with translation.override(mail.language):
        subject = render_text(f"mail/{mail.template}.subject.txt", context)
        body = render_text(f"mail/{mail.template}.txt", context)
    return " ".join(subject.split())[:998], body


def text_to_html(text: str) -> SafeString:
    """The plain-text body as HTML: escaped, links made clickable, paragraphs and <br>."""
    text = text.encode().decode()  # a plain str: urlize trusts a SafeString and escapes nothing
    return mark_safe(linebreaks(urlize(text, nofollow=True, autoescape=True), autoescape=False))  # noqa: S308 - escaped by urlize


def render_html(mail: OutboxMail, *, subject: str, body: str) -> str:
    """The HTML part: `mail/<template>.html` if the template exists (it extends
    mail/_base.html), else the plain text made HTML inside the same layout."""
    context = _context(mail) | {"subject": subject}
    with translation.override(mail.language):
        try:
            return render_to_string(f"mail/{mail.template}.html", context)
        except TemplateDoesNotExist:
            return render_to_string("mail/_base.html", context | {"body_html": text_to_html(body)})


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


def deliver(mail_id: int, *, connection: Connection | None = None) -> Outcome:
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
            return _send_claimed(mail, conn)
    finally:
        if own:
            conn.close()


def _send_claimed(mail: OutboxMail, conn: Connection) -> Outcome:
    if UndeliverableAddress.objects.filter(email=mail.to_email.strip().lower()).exists():
        mail.state = OutboxMail.State.FAILED
        mail.last_error = "undeliverable address: not tried"
        mail.save(update_fields=["state", "last_error"])
        return Outcome.FAILED
    mail.attempts += 1
    if not mail.subject:
        try:
            with transaction.atomic():  # a savepoint: a failing query leaves the row usable
                subject, body = render(mail)
                html_body = render_html(mail, subject=subject, body=body)
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
            return _fail(mail, text, permanent=True)
        return _fail(mail, text, permanent=False)
    mail.state = OutboxMail.State.SENT
    mail.sent_at = timezone.now()
    mail.last_error = ""
    mail.save()
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


def deliver_due_mail(limit: int = 200, *, now: datetime | None = None) -> int:
    """Send pending mail whose time has come (retries included) over one connection.
    Returns how many were sent. `now` (tests) moves the clock forward to reach retries."""
    due = list(
        OutboxMail.objects.filter(
            state=OutboxMail.State.PENDING, next_attempt_at__lte=now or timezone.now()
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    if not due:
        return 0
    conn = Connection()
    sent = 0
    try:
        for index, mail_id in enumerate(due):
            outcome = deliver(mail_id, connection=conn)
            if outcome is Outcome.SENT:
                sent += 1
            elif outcome is Outcome.DOWN:
                error = OutboxMail.objects.filter(pk=mail_id).values_list("last_error", flat=True)
                _defer(due[index + 1 :], error.first() or "mail server unreachable")
                break
    finally:
        conn.close()
    return sent
