from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import connection, models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kaisai.core import rawrows

nickname_validator = RegexValidator(
    r"^[A-Za-z0-9_-]{2,30}$",
    _("Use 2 to 30 letters, digits, hyphens or underscores."),
)


class KaisaiUserManager(UserManager):
    def get(self, *args: Any, **kwargs: Any) -> Any:
        """`User.objects.get(pk=<int>)` — auth's read of the logged-in user on every request
        (ModelBackend.get_user, allauth's too) — as one raw query of every column
        (core.rawrows): Django compiling the ORM's query cost about 0.2 ms of the 0.3 ms of
        CPU of that read. The same instance and the same DoesNotExist; any other lookup, and
        the related managers built on this class (they filter), are the ORM's."""
        pk = kwargs.get("pk")
        if type(self) is not KaisaiUserManager or args or len(kwargs) != 1 or type(pk) is not int:
            return super().get(*args, **kwargs)
        if self._db is not None and self._db != connection.alias:
            return super().get(*args, **kwargs)
        user = rawrows.first_where(self.model, [(self.model._meta.pk.column, "=")], [pk])
        if user is None:
            raise self.model.DoesNotExist(
                f"{self.model._meta.object_name} matching query does not exist."
            )
        return user

    def _create_user(self, username, email, password, **extra_fields):
        # AbstractUser's manager names the login field "username"; ours is the nickname.
        extra_fields.setdefault("nickname", username)
        email = self.normalize_email(email)
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, nickname=None, email=None, password=None, **extra_fields):  # type: ignore[override]
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(nickname, email, password, **extra_fields)

    def create_superuser(self, nickname=None, email=None, password=None, **extra_fields):  # type: ignore[override]
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(nickname, email, password, **extra_fields)


class User(AbstractUser):
    """A person on kaisai. The nickname is the permanent slug of the profile URL."""

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    nickname = models.CharField(
        _("nickname"),
        max_length=30,
        unique=True,
        validators=[nickname_validator],
        help_text=_("Your permanent profile address: letters, digits, - and _."),
        error_messages={"unique": _("This nickname is already taken.")},
    )
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    bio = models.TextField(_("bio"), blank=True, max_length=2000)
    avatar = models.ImageField(_("avatar"), upload_to="avatars/", blank=True)
    x_account = models.CharField(
        _("X account"),
        max_length=15,
        blank=True,
        validators=[RegexValidator(r"^[A-Za-z0-9_]{1,15}$", _("Enter an X handle without @."))],
    )
    github_account = models.CharField(
        _("GitHub account"),
        max_length=39,
        blank=True,
        validators=[RegexValidator(r"^[A-Za-z0-9-]{1,39}$", _("Enter a GitHub user name."))],
    )
    website = models.URLField(_("website"), blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, blank=True
    )
    # Participants and members lists (docs/participants.md): hidden unless the person chooses to
    # appear; a registration or a membership can override it for one event or one group.
    show_in_lists = models.BooleanField(
        _("appear in participants and members lists"),
        default=False,
        help_text=_(
            "Ticked: your nickname and avatar appear in the participants list of the events you "
            "register for and in the members list of the groups you follow. You can still choose "
            "otherwise for one event (on your registration page) or one group (on its members "
            "page). Not ticked: you are only counted."
        ),
    )
    # Set when the person deleted their account: the row stays (registrations, talks and logs
    # keep pointing at it) but holds nothing personal any more (docs/security.md).
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    USERNAME_FIELD = "nickname"
    REQUIRED_FIELDS = ["email"]

    objects = KaisaiUserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if self.deleted_at is not None:
            return str(_("Deleted account"))
        return self.display_name or self.nickname

    def get_absolute_url(self) -> str:
        return reverse("accounts:profile", kwargs={"nickname": self.nickname})


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()
