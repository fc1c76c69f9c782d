from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ORGANIZER = "organizer", _("Organizer")
    # "Reception" alone is the check-in page (受付); the role is its staff (受付担当).
    RECEPTION = "reception", pgettext_lazy("organizer role", "Reception")


# The roles that organize events (reception staff only check people in).
ORGANIZING_ROLES = [Role.OWNER, Role.ORGANIZER]


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")


class Action(models.TextChoices):
    """What the action log records (groups.ActionLog.action)."""

    CSV_EXPORTED = "csv_exported", _("Exported the registrations (CSV)")
    MESSAGE_SENT = "message_sent", _("Sent a message")
    ROLE_CHANGED = "role_changed", _("Changed a role")
    ORGANIZER_REMOVED = "organizer_removed", _("Removed someone from the team")
    EVENT_PUBLISHED = "event_published", _("Published an event")
    EVENT_CANCELLED = "event_cancelled", _("Cancelled an event")
    LOTTERY_DRAWN = "lottery_drawn", _("Drew a lottery")
    CAPACITY_CHANGED = "capacity_changed", _("Changed a capacity")
    WEBHOOK_CHANGED = "webhook_changed", _("Changed a webhook")
    TOKEN_CHANGED = "token_changed", _("Changed a token")
    MFA_REQUIREMENT_CHANGED = "mfa_requirement_changed", _("Changed the two-factor requirement")
