"""Organizer messages (メッセージ): one OrganizerMessage and one outbox mail per recipient."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kaisai.accounts.models import User
from kaisai.events.models import Event
from kaisai.groups.enums import Action
from kaisai.groups.services_log import log_action
from kaisai.notices.models import OrganizerMessage
from kaisai.notices.notify import queue_mails
from kaisai.notices.selectors_messages import audience_recipients, message_kind


class MessageError(Exception):
    """A message that cannot be sent. `str(error)` is a translated message."""

    EMPTY = _("Nobody would receive this message: the audience is empty.")

    def __init__(self, message: Any) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


def send_message(
    *, event: Event, by: User, audience: str, subject: str, body: str
) -> OrganizerMessage:
    """Store the message and queue its mails (batch "message:<id>", key
    "message-<id>-<user>") in one transaction; the outbox delivers them. Members who switched
    organizer messages off are skipped; the event's own people (registrants, speakers) always
    get it. Raises MessageError, saving nothing, if nobody would receive it."""
    with transaction.atomic():
        recipients = audience_recipients(event, audience)
        if not recipients:
            raise MessageError(MessageError.EMPTY)
        message = OrganizerMessage.objects.create(
            event=event,
            audience=audience,
            subject=subject,
            body=body,
            sent_by=by if getattr(by, "is_authenticated", False) else None,
        )
        message.recipient_count = queue_mails(
            recipients,
            key=lambda person: f"message-{message.pk}-{person.pk}",
            template="organizer_message",
            context={"message": message, "event": event},
            kind=message_kind(audience),
            group=event.group,
            batch=message.batch,
        )
        message.save(update_fields=["recipient_count"])
        log_action(
            group=event.group,
            actor=by,
            action=Action.MESSAGE_SENT,
            event=event,
            subject=subject,
            audience=audience,
            recipients=message.recipient_count,
        )
    return message
