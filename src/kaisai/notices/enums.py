from django.db import models
from django.utils.translation import gettext_lazy as _


class MailKind(models.TextChoices):
    """Kinds of mail a person may switch off. Mail a registration needs (received, accepted,
    promoted, cancelled, the ticket, reconfirmation) has no kind and always goes out."""

    EVENT_PUBLISHED = "event_published", _("New events of groups I follow")
    REGISTRATION_OPENED = "registration_opened", _("Registration opened")
    MATERIALS_ADDED = "materials_added", _("New materials (slides, videos)")
    ORGANIZER_MESSAGE = "organizer_message", _("Messages from organizers")
    REMINDER = "reminder", _("Reminders before events")
    SPEAKER_REMINDER = "speaker_reminder", _("Reminders to speakers to share slides")


# Kinds that belong to one group (unsubscribing names the group); the others are per person.
GROUP_KINDS = (
    MailKind.EVENT_PUBLISHED,
    MailKind.REGISTRATION_OPENED,
    MailKind.MATERIALS_ADDED,
    MailKind.ORGANIZER_MESSAGE,
)


class Audience(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted participants")
    WAITLISTED = "waitlisted", _("Waitlisted")
    REGISTRANTS = "registrants", _("All registrants (accepted, waitlisted, applied)")
    SPEAKERS = "speakers", _("Speakers")
    MEMBERS = "members", _("Group members")


class Answer(models.TextChoices):
    YES = "yes", _("I'm coming")
    NO = "no", _("I can't come")


class WebhookEvent(models.TextChoices):
    REGISTERED = "registration.created", _("New registration")
    CANCELLED = "registration.cancelled", _("Cancellation")
    PROMOTED = "registration.promoted", _("Promotion from the waitlist")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
