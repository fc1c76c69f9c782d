from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Method(models.TextChoices):
    FIRST_COME = "first_come", _("First come")
    LOTTERY = "lottery", _("Lottery")
    APPROVAL = "approval", _("Approval")


class Status(models.TextChoices):
    APPLIED = "applied", _("Applied")
    ACCEPTED = "accepted", _("Accepted")
    WAITLISTED = "waitlisted", _("Waitlisted")
    REJECTED = "rejected", _("Rejected")
    # "Cancelled" alone is an event's status too (中止); a registration is キャンセル.
    CANCELLED = "cancelled", pgettext_lazy("registration status", "Cancelled")


ACTIVE_STATUSES = (Status.APPLIED, Status.ACCEPTED, Status.WAITLISTED)
# Registrations still hoping for a seat: the waitlist, and applicants of a lottery before its
# draw or of an approval frame before the organizers' decision.
WAITING_STATUSES = (Status.WAITLISTED, Status.APPLIED)


class QuestionKind(models.TextChoices):
    TEXT = "text", _("Text")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")


class Overbooking(models.TextChoices):
    """Fill-the-room mode of a frame (docs/registration.md, "Fill-the-room mode")."""

    OFF = "off", _("Off: accept as many as there are seats")
    FORECAST = "forecast", _("Fill the room: accept more by the show-up forecast")


# Fill-the-room mode's overflow risk: more than 0, at most 0.5 (a CheckConstraint).
MAX_OVERFLOW_RISK = 0.5
DEFAULT_OVERFLOW_RISK = 0.05
