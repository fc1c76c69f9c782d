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
