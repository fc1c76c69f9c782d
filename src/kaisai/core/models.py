from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DemoMail(models.Model):
    """A mail kept in the database when no mail server is configured (the demo's mailbox)."""

    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True, db_index=True)
    from_email = models.CharField(_("from"), max_length=254)
    to = models.TextField(_("to"))
    subject = models.CharField(_("subject"), max_length=998)
    body = models.TextField(_("body"))

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("demo mail")
        verbose_name_plural = _("demo mails")

    def __str__(self) -> str:
        return self.subject


class OutboxMail(models.Model):
    """A mail written in the same transaction as the change it tells about, sent after commit.

    `key` is unique: the same person is never sent the same mail for the same reason twice.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    key = models.CharField(max_length=200, unique=True)
    to_email = models.EmailField()
    recipient = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    language = models.CharField(max_length=8)
    template = models.CharField(max_length=100)
    context = models.JSONField(default=dict, blank=True)
    subject = models.CharField(max_length=998, blank=True)
    body = models.TextField(blank=True)
    html_body = models.TextField(blank=True)
    # A kind of mail the recipient may switch off (kaisai.notices.enums.MailKind), and the
    # group it is about: both give the List-Unsubscribe link. Empty: mail a registration needs.
    kind = models.CharField(max_length=32, blank=True)
    group = models.ForeignKey(
        "groups.Group",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # a partial index below: most mail (a registration's) has no group
    )
    # Mails sent together (an organizer's message: "message:<id>") for progress and states.
    batch = models.CharField(max_length=50, blank=True)  # partial indexes below
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()  # indexed: (state, next_attempt_at, id)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # A registration's mail is written in the registration rush: it has no batch and no
        # group, so the indexes on those skip it (the queries on them name a batch or a group).
        indexes = [
            # The worker's order (due first, then id): the next chunk is read from the index,
            # not sorted from every pending row (a message's mails share next_attempt_at).
            models.Index(fields=["state", "next_attempt_at", "id"], name="outbox_due"),
            models.Index(fields=["batch"], name="outbox_batch", condition=~Q(batch="")),
            models.Index(
                fields=["batch"],
                name="outbox_batch_prefix",
                opclasses=["varchar_pattern_ops"],
                condition=~Q(batch=""),
            ),
            models.Index(fields=["group"], name="outbox_group", condition=Q(group__isnull=False)),
        ]
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outgoing mail")

    def __str__(self) -> str:
        return f"{self.key} → {self.to_email} ({self.state})"


class BulkMail(models.Model):
    """Many mails queued as one row: the same template to a list of ids (a lottery draw's
    5,000 winners or waitlisted of one batch), written in the caller's transaction like
    `queue_mail`'s row. The worker expands it into ordinary `OutboxMail` rows, a chunk per
    transaction (core/bulkexpand.py), through the expander registered for its `source`;
    `expanded` is how many ids are done, so that a crash resumes where it stopped."""

    source = models.CharField(max_length=50)  # the expander (bulkmail.register)
    template = models.CharField(max_length=100)
    params = models.JSONField(default=dict, blank=True)  # what the expander needs besides ids
    ids = models.JSONField()  # the expander's ids (registrations), in the order to send
    expanded = models.PositiveIntegerField(default=0)  # ids[:expanded] are in the outbox
    created_at = models.DateTimeField(auto_now_add=True)
    expanded_at = models.DateTimeField(null=True, blank=True)  # all of them are

    class Meta:
        indexes = [
            models.Index(
                fields=["id"], name="bulkmail_pending", condition=Q(expanded_at__isnull=True)
            )
        ]
        verbose_name = _("bulk mail")
        verbose_name_plural = _("bulk mails")

    def __str__(self) -> str:
        return f"{self.source} {self.template}: {self.expanded}/{len(self.ids)}"


class UndeliverableAddress(models.Model):
    """An address the mail server refused permanently (5xx): no more mail is sent to it, and
    organizers see it beside the registration. Changing one's address clears it."""

    email = models.EmailField(unique=True)
    reason = models.TextField(blank=True)
    failures = models.PositiveIntegerField(default=1)
    failed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("undeliverable address")
        verbose_name_plural = _("undeliverable addresses")

    def __str__(self) -> str:
        return self.email


class WorkerHeartbeat(models.Model):
    """A worker's last sign of life: its ticker writes it every few seconds (core/heartbeat.py);
    /readyz and /metrics read the newest."""

    name = models.CharField(max_length=200, unique=True)  # host:pid
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"
