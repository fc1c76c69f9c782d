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


class QuestionKind(models.TextChoices):
    TEXT = "text", _("Text")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
