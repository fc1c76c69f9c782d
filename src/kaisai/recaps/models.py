"""Recaps (レポート) of an event: the organizers' own, drafted by kaisai and edited, and links to
posts that participants wrote elsewhere (external recaps). See docs/recap.md."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kaisai.events.models import Event

MAX_BODY_LENGTH = 20_000


class Recap(models.Model):
    """The organizers' recap of one event: Markdown, a draft until `published_at` is set."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="recap")
    body = models.TextField(_("recap"), max_length=MAX_BODY_LENGTH)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # How many members the publication was mailed to (the confirmation's number).
    notified_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("recap")
        verbose_name_plural = _("recaps")

    def __str__(self) -> str:
        return f"recap of {self.event_id}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class ExternalRecap(models.Model):
    """A participant's own post about the event (a blog, a note…), linked from the event page."""

    removable: bool  # not a field: set by `selectors.event_page_context` for the viewer

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="external_recaps")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    url = models.URLField(_("URL"), max_length=1000)
    title = models.CharField(_("title"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "url"], name="external_recap_unique_url"),
        ]
        verbose_name = _("external recap")
        verbose_name_plural = _("external recaps")

    def __str__(self) -> str:
        return self.title
