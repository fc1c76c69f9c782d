"""Mail settings and what organizers send: opt-outs, reminders, reconfirmation, messages,
webhooks. Mails themselves are rows of `core.OutboxMail` (see kaisai.core.outbox)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kaisai.events.models import Event
from kaisai.groups.models import Group
from kaisai.notices.enums import Answer, Audience, DeliveryState, MailKind, WebhookEvent


def default_reminder_hours() -> list[int]:
    return [24, 2]


class MailOptOut(models.Model):
    """A person switched one kind of mail off: for one group, or (group empty) everywhere."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_opt_outs"
    )
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=32, choices=MailKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "group", "kind"],
                condition=Q(group__isnull=False),
                name="optout_unique_group",
            ),
            models.UniqueConstraint(
                fields=["user", "kind"], condition=Q(group__isnull=True), name="optout_unique_all"
            ),
        ]
        verbose_name = _("mail opt-out")
        verbose_name_plural = _("mail opt-outs")

    def __str__(self) -> str:
        return f"{self.user} ✕ {self.kind} ({self.group or '*'})"


class EventMailSettings(models.Model):
    """Per event: when reminders go out, and whether (and when) to ask "still coming?"."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="mail_settings")
    reminder_hours = models.JSONField(
        _("reminders (hours before the start)"), default=default_reminder_hours, blank=True
    )
    reconfirm_hours = models.PositiveIntegerField(
        _('ask "still coming?" (hours before the start)'), null=True, blank=True
    )
    reconfirm_deadline_hours = models.PositiveIntegerField(
        _("answer deadline (hours before the start)"), null=True, blank=True
    )
    release_unanswered = models.BooleanField(
        _("release the seats of those who have not answered by the deadline"), default=False
    )
    reconfirm_asked_at = models.DateTimeField(null=True, blank=True)
    unanswered_warned_at = models.DateTimeField(null=True, blank=True)
    unanswered_released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mail settings of an event")
        verbose_name_plural = _("mail settings of events")

    def __str__(self) -> str:
        return f"mail settings of {self.event_id}"


class Reconfirmation(models.Model):
    """A participant's answer to "still coming?"."""

    registration = models.OneToOneField(
        "registrations.Registration", on_delete=models.CASCADE, related_name="reconfirmation"
    )
    answer = models.CharField(_("answer"), max_length=8, choices=Answer.choices)
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reconfirmation")
        verbose_name_plural = _("reconfirmations")

    def __str__(self) -> str:
        return f"{self.registration_id}: {self.answer}"


class OrganizerMessage(models.Model):
    """A message organizers sent to an audience of an event; each recipient's mail is an
    OutboxMail row with batch = "message:<id>", which gives the delivery state."""

    progress: Any  # not a field: `selectors_messages` sets the delivery progress of the batch

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="messages")
    audience = models.CharField(_("to"), max_length=16, choices=Audience.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), max_length=20000, help_text=_("Markdown."))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    recipient_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return self.subject

    @property
    def batch(self) -> str:
        return f"message:{self.pk}"


class Webhook(models.Model):
    """A group's webhook (Slack- and Discord-compatible JSON), signed with HMAC-SHA256."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(max_length=64, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Deliveries are made from the audit log (every registration change, whichever code path
    # wrote it): the worker turns log rows after this id into deliveries.
    last_log_id = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One POST of one webhook, retried with back-off; `key` makes it happen once."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    key = models.CharField(max_length=200, unique=True)
    event_type = models.CharField(max_length=32, choices=WebhookEvent.choices)
    payload = models.JSONField()
    state = models.CharField(
        max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    last_status = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self) -> str:
        return f"{self.event_type} → {self.webhook_id} ({self.state})"
