"""Talks (発表) and lightning talks of an event, their speakers, the timetable and materials (資料).

A talk proposed through an LT frame is tied to its registration: the registration holds the
speaker's seat (in the LT frame, never a general seat) and its waitlist is the speaker waitlist.
Invited talks have no registration. See docs/talks.md.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kaisai.events.models import Event
from kaisai.talks.enums import EntryKind, MaterialKind, TalkKind, TalkLanguage, TalkState


class Talk(models.Model):
    # Not fields: set by `selectors_talks.manage_rows` for the organizers' talk list.
    speaker_list: list[Any]
    all_confirmed: bool
    waitlist_position: int | None
    flags: dict[str, bool]

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="talks")
    title = models.CharField(_("title"), max_length=200)
    abstract = models.TextField(
        _("abstract"), blank=True, max_length=5000, help_text=_("Markdown.")
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=TalkKind.choices, default=TalkKind.TALK
    )
    duration = models.PositiveIntegerField(
        _("duration (minutes)"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
    )
    language = models.CharField(
        _("language"), max_length=8, choices=TalkLanguage.choices, default=TalkLanguage.JA
    )
    consent_stream = models.BooleanField(_("may be streamed"), default=True)
    consent_record = models.BooleanField(_("may be recorded"), default=True)
    state = models.CharField(
        _("state"), max_length=16, choices=TalkState.choices, default=TalkState.PROPOSED
    )
    # The LT frame registration that holds this speaker's seat (None for invited talks).
    registration = models.OneToOneField(
        "registrations.Registration",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="talk",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["event", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=TalkKind.values), name="talk_kind_valid"),
            models.CheckConstraint(
                condition=Q(state__in=TalkState.values), name="talk_state_valid"
            ),
        ]
        verbose_name = _("talk")
        verbose_name_plural = _("talks")

    def __str__(self) -> str:
        return self.title


class Speaker(models.Model):
    """A speaker of a talk: a user, or a guest known only by name. Invited speakers get a link
    (the token's SHA-256 is stored) and confirm the talk by opening it while logged in."""

    talk = models.ForeignKey(Talk, on_delete=models.CASCADE, related_name="speakers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="speaker_roles",
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    invited_email = models.EmailField(_("e-mail of the invited speaker"), blank=True)
    invitation_hash = models.CharField(max_length=64, blank=True, db_index=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["talk", "user"], condition=Q(user__isnull=False), name="speaker_unique_user"
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(name="") | ~Q(invitation_hash=""),
                name="speaker_has_identity",
            ),
        ]
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.user_id is not None and self.user is not None:
            return self.user.name  # display name, else nickname; "Deleted account"
        return self.name or str(_("Invited speaker"))

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class TimetableEntry(models.Model):
    """One row of the event's timetable: a talk at a time, or doors/break/after-party."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="timetable")
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    talk = models.OneToOneField(
        Talk, null=True, blank=True, on_delete=models.CASCADE, related_name="slot"
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    duration = models.PositiveIntegerField(
        _("duration (minutes)"), default=0, validators=[MaxValueValidator(24 * 60)]
    )
    room = models.CharField(_("room"), max_length=100, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=EntryKind.TALK) & Q(talk__isnull=False))
                | (~Q(kind=EntryKind.TALK) & Q(talk__isnull=True)),
                name="timetable_talk_iff_kind_talk",
            ),
        ]
        verbose_name = _("timetable entry")
        verbose_name_plural = _("timetable entries")

    def __str__(self) -> str:
        return self.title or (self.talk.title if self.talk else self.kind)


class Material(models.Model):
    """A link to slides, a video, a blog post… of a talk or of the whole event."""

    safe_embed_url: str  # not a field: the embed URL after the allow-list check at render

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="materials")
    talk = models.ForeignKey(
        Talk, null=True, blank=True, on_delete=models.CASCADE, related_name="materials"
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=MaterialKind.choices, default=MaterialKind.SLIDE
    )
    url = models.URLField(_("URL"), max_length=1000)
    title = models.CharField(_("title"), max_length=300, blank=True)
    # Filled from the host's oEmbed (allow-listed hosts only), by a task after saving.
    provider = models.CharField(max_length=50, blank=True)
    embed_url = models.URLField(max_length=1000, blank=True)
    thumbnail_url = models.URLField(max_length=1000, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=MaterialKind.values), name="material_kind_valid"
            ),
        ]
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self) -> str:
        return self.title or self.url
