from __future__ import annotations

import re
import zoneinfo
from datetime import datetime
from urllib.parse import quote_plus

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kaisai.core.prefectures import Prefecture
from kaisai.events import bounds
from kaisai.events.enums import EventStatus, VenueKind
from kaisai.groups.models import Group

TIME_ZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]
_TIME_ZONE_NAMES = frozenset(name for name, _label in TIME_ZONE_CHOICES)  # listing them is slow


def validate_time_zone(value: str) -> None:
    if value not in _TIME_ZONE_NAMES:
        raise ValidationError(_("Unknown time zone."))


class Event(models.Model):
    """One meetup of a group, numbered #N within it. Held = published and over (`is_held`)."""

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="events")
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    catch = models.CharField(_("catch"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    status = models.CharField(
        _("status"), max_length=16, choices=EventStatus.choices, default=EventStatus.DRAFT
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=settings.TIME_ZONE,
        validators=[validate_time_zone],
    )
    venue_kind = models.CharField(
        _("where"), max_length=16, choices=VenueKind.choices, default=VenueKind.OFFLINE
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    prefecture = models.CharField(
        _("prefecture"), max_length=16, choices=Prefecture.choices, blank=True
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    stream_url = models.URLField(_("stream URL"), blank=True)
    participant_info = models.TextField(
        _("information for participants"),
        blank=True,
        help_text=_("Markdown. Shown only to participants and organizers."),
    )
    hashtag = models.CharField(
        _("hashtag"),
        max_length=100,
        blank=True,
        validators=[RegexValidator(r"^[^\s#]+$", _("Enter the hashtag without # and spaces."))],
    )
    image = models.ImageField(_("image"), upload_to="events/", blank=True)
    afterparty_place = models.CharField(_("after-party place"), max_length=200, blank=True)
    afterparty_starts_at = models.DateTimeField(_("after-party starts at"), null=True, blank=True)
    afterparty_fee = models.PositiveIntegerField(_("after-party fee (yen)"), null=True, blank=True)
    afterparty_capacity = models.PositiveIntegerField(
        _("after-party capacity"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    attendance_code = models.CharField(
        _("attendance code"),
        max_length=32,
        blank=True,
        help_text=_("Online events: participants check themselves in with it (出席コード)."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["status", "starts_at"]),
            # The orders of lists and searches (start, updated, newest), read in index order.
            models.Index(fields=["starts_at", "id"], name="event_starts_id"),
            models.Index(fields=["updated_at", "id"], name="event_updated_id"),
            models.Index(fields=["published_at", "id"], name="event_published_id"),
            # Prefecture searches (with a keyword: ANDed with the trigram bitmaps).
            models.Index(fields=["prefecture"], name="event_prefecture"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["group", "number"], name="event_number_unique"),
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")),
                name="event_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=EventStatus.values), name="event_status_valid"
            ),
        ]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"pk": self.pk})

    @classmethod
    def from_db(cls, db, field_names, values):
        """Rows stored before the date bounds may hold year 1 or 9999: clamped when read so
        that every page can show them in any time zone (kaisai.events.bounds)."""
        instance = super().from_db(db, field_names, values)
        bounds.clamp_loaded(instance, ("starts_at", "ends_at", "afterparty_starts_at"))
        return instance

    def clean(self) -> None:
        """Dates within the bounds of kaisai.events.bounds (the form, admin and API v1)."""
        super().clean()
        if not isinstance(self.starts_at, datetime) or not isinstance(self.ends_at, datetime):
            return
        previous = None
        if self.pk:
            previous = (
                type(self).objects.filter(pk=self.pk).values_list("starts_at", flat=True).first()
            )
        errors = bounds.event_date_errors(
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            afterparty_starts_at=self.afterparty_starts_at,
            previous_starts_at=previous,
        )
        if errors:
            raise ValidationError(errors)

    @property
    def numbered_title(self) -> str:
        """The title with the event's number, "#5 Title", unless the title already says it
        ("Machine Learning Casual Talks #5", "第5回 …"): the one place that decides."""
        if not self.number:
            return self.title
        if re.search(rf"(#|＃|第\s*){self.number}(?!\d)", self.title):
            return self.title
        return f"#{self.number} {self.title}"

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def local_starts_at(self) -> datetime:
        """Start in the event's own time zone (templates: `|timezone:event.time_zone`)."""
        return bounds.safe_local(self.starts_at, self.tz)

    @property
    def is_public(self) -> bool:
        return self.status != EventStatus.DRAFT

    @property
    def is_held(self) -> bool:
        """Held is a derived state, never stored: a published event whose end has passed.

        The stored life cycle is draft → published → (cancelled | postponed); see
        `kaisai.events.services` for the allowed transitions."""
        return self.status == EventStatus.PUBLISHED and self.ends_at <= timezone.now()

    @property
    def has_venue(self) -> bool:
        return self.venue_kind in (VenueKind.OFFLINE, VenueKind.HYBRID)

    @property
    def is_online(self) -> bool:
        return self.venue_kind in (VenueKind.ONLINE, VenueKind.HYBRID)

    @property
    def has_afterparty(self) -> bool:
        """An after-party (懇親会) is announced: a place, a time, a fee or a headcount."""
        return bool(
            self.afterparty_place
            or self.afterparty_starts_at
            or self.afterparty_fee is not None
            or self.afterparty_capacity is not None
        )

    @property
    def map_url(self) -> str:
        if self.latitude is not None and self.longitude is not None:
            return (
                "https://www.openstreetmap.org/?mlat="
                f"{self.latitude}&mlon={self.longitude}#map=17/{self.latitude}/{self.longitude}"
            )
        if self.address:
            return "https://www.openstreetmap.org/search?query=" + quote_plus(self.address)
        return ""


class Sponsor(models.Model):
    """A company that supports an event: venue, drinks, after-party or money."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sponsors")
    name = models.CharField(_("name"), max_length=200)
    url = models.URLField(_("URL"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="sponsors/", blank=True)
    provides = models.CharField(
        _("provides"), max_length=200, blank=True, help_text=_("e.g. venue, drinks & after-party")
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("sponsor")
        verbose_name_plural = _("sponsors")

    def __str__(self) -> str:
        return self.name
