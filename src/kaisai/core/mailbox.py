"""The demo's mail backend: mail is stored in the database and shown at /demo-mail/."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage


class DemoMailboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        from kaisai.core.models import DemoMail

        for message in email_messages:
            DemoMail.objects.create(
                from_email=message.from_email,
                to=", ".join(message.recipients()),
                subject=str(message.subject)[:998],
                body=str(message.body),
            )
        return len(email_messages)
