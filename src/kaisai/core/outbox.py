"""The mail outbox: write a mail in the caller's transaction, send it after commit.

`queue_mail` stores only what to send (template, recipient, a JSON context of model
references) — one INSERT ... ON CONFLICT DO NOTHING, so that it can sit inside a short locked
transaction. The worker's ticker (`deliver_due_mail`, every KAISAI_MAIL_POLL_SECONDS) picks up
what is committed, renders it in the recipient's language from
`templates/mail/<template>.subject.txt` and `<template>.txt`, sends it, and retries failures
with back-off. A mail rolled back with its transaction never existed. The unique key makes a
repeated call a no-op: nobody gets the same mail for the same reason twice.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from kaisai.core.models import OutboxMail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 12


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... capped at one hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def _ref(value: Any) -> Any:
    if isinstance(value, models.Model):
        return {"_model": value._meta.label, "pk": value.pk}
    return value


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
    mail = OutboxMail(
        key=key,
        to_email=user.email,
        recipient=user,
        language=user.preferred_language or settings.LANGUAGE_CODE,
        template=template,
        context={name: _ref(value) for name, value in context.items()},
        next_attempt_at=timezone.now(),
        kind=kind,
        group=group,
        batch=batch,
    )
    # ON CONFLICT DO NOTHING: no savepoint, and a second mail for the same key is dropped.
    OutboxMail.objects.bulk_create([mail], ignore_conflicts=True)
    return mail


def render(mail: OutboxMail) -> tuple[str, str]:
    context = {name: _resolve(value) for name, value in mail.context.items()}
    context.update({"user": mail.recipient, "BASE_URL": settings.BASE_URL})
    with translation.override(mail.language):
        subject = render_to_string(f"mail/{mail.template}.subject.txt", context)
        body = render_to_string(f"mail/{mail.template}.txt", context)
    return " ".join(subject.split())[:998], body


def deliver(mail_id: int) -> bool:
    """Send one pending mail; claims the row so that two workers never send it twice."""
    with transaction.atomic():
        mail = (
            OutboxMail.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=mail_id, state=OutboxMail.State.PENDING)
            .select_related("recipient")
            .first()
        )
        if mail is None:
            return False
        if not mail.subject:
            mail.subject, mail.body = render(mail)
        message = EmailMessage(
            subject=mail.subject,
            body=mail.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[mail.to_email],
            headers={"X-Kaisai-Key": mail.key},
        )
        mail.attempts += 1
        try:
            message.send()
        except Exception as error:  # SMTP down, refused, timed out: try again later
            mail.last_error = f"{type(error).__name__}: {error}"[:2000]
            if mail.attempts >= MAX_ATTEMPTS:
                mail.state = OutboxMail.State.FAILED
            mail.next_attempt_at = timezone.now() + backoff(mail.attempts)
            mail.save()
            return False
        mail.state = OutboxMail.State.SENT
        mail.sent_at = timezone.now()
        mail.last_error = ""
        mail.save()
        return True


def deliver_due_mail(limit: int = 200) -> int:
    """Send pending mail whose time has come (retries included). Returns how many were sent."""
    due = list(
        OutboxMail.objects.filter(
            state=OutboxMail.State.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for mail_id in due if deliver(mail_id))
