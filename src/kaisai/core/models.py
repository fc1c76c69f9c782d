from django.db import models
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
