from django.db import models
from django.utils.translation import gettext_lazy as _


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")
    POSTPONED = "postponed", _("Postponed")


class VenueKind(models.TextChoices):
    OFFLINE = "offline", _("At a venue")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("At a venue and online")
