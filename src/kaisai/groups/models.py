from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kaisai.groups.enums import Action, RequestStatus, Role

slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$",
    _("Use lower-case letters, digits and hyphens (not at the ends), at most 50."),
)


class Group(models.Model):
    """A community that holds a series of events (グループ)."""

    slug = models.CharField(
        _("slug"),
        max_length=50,
        unique=True,
        validators=[slug_validator],
        help_text=_("The group's address: /groups/SLUG/. It cannot be changed later."),
        error_messages={"unique": _("A group with this slug already exists.")},
    )
    title = models.CharField(_("title"), max_length=100)
    subtitle = models.CharField(_("subtitle"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    website = models.URLField(_("website"), blank=True)
    x_account = models.CharField(
        _("X account"),
        max_length=15,
        blank=True,
        validators=[RegexValidator(r"^[A-Za-z0-9_]{1,15}$", _("Enter an X handle without @."))],
    )
    image = models.ImageField(_("image"), upload_to="groups/", blank=True)
    require_mfa = models.BooleanField(
        _("require two-factor authentication"),
        default=False,
        help_text=_("Owners and organizers must use two-factor authentication to manage it."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("groups:detail", kwargs={"slug": self.slug})


class Organizer(models.Model):
    """A person who may manage the group and its events, with a role."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="organizers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organizer_roles"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="organizer_unique_per_group"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="organizer_role_valid"
            ),
        ]
        verbose_name = _("organizer")
        verbose_name_plural = _("organizers")

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) @ {self.group}"


class Member(models.Model):
    """A person who follows a group and is told about its new events."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    joined_at = models.DateTimeField(auto_now_add=True)
    # The person's own choice for this group's members list: None follows their
    # `User.show_in_lists`; True appears, False stays hidden (docs/participants.md).
    listed = models.BooleanField(_("shown in the members list"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="member_unique_per_group"),
        ]
        verbose_name = _("member")
        verbose_name_plural = _("members")

    def __str__(self) -> str:
        return f"{self.user} → {self.group}"


class OrganizerInvitation(models.Model):
    """A link that makes whoever opens it (logged in) an organizer of the group, once."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="invitations")
    token = models.CharField(max_length=64, unique=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.ORGANIZER)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("organizer invitation")
        verbose_name_plural = _("organizer invitations")

    def __str__(self) -> str:
        return f"invitation to {self.group} ({self.role})"


class OrganizerRequest(models.Model):
    """A person's request to help organize; an organizer approves or declines it."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="organizer_requests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    message = models.TextField(_("message"), blank=True, max_length=2000)
    status = models.CharField(
        _("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "user"],
                condition=models.Q(status="pending"),
                name="organizer_request_one_pending",
            ),
        ]
        verbose_name = _("organizer request")
        verbose_name_plural = _("organizer requests")

    def __str__(self) -> str:
        return f"{self.user} → {self.group} ({self.status})"


class ActionLog(models.Model):
    """One organizer action in a group, for its owners to read (docs/security.md)."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="action_log")
    # The event it concerns, if any (a string reference: events sit above groups).
    event = models.ForeignKey(
        "events.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("action"), max_length=40)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["group", "-created_at"], name="actionlog_group_recent")]
        verbose_name = _("action log entry")
        verbose_name_plural = _("action log")

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_id} @ {self.group_id}"

    @property
    def label(self) -> str:
        """The action in the reader's language (an unknown one as stored)."""
        try:
            return str(Action(self.action).label)
        except ValueError:
            return self.action
