"""The participant's own choice to appear in the event's participants list (参加者一覧) or stay
hidden (docs/participants.md). Only the person can make it: the service takes the person and
changes their own active registration, never someone else's."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from kaisai.accounts.models import User
from kaisai.accounts.selectors import LISTING_CHOICES
from kaisai.events.models import Event
from kaisai.registrations.enums import ACTIVE_STATUSES
from kaisai.registrations.errors import RegistrationError
from kaisai.registrations.models import Registration


def set_listed(*, event: Event, user: User, choice: str) -> Registration:
    """Set the person's choice for this event: "show", "hide" or "default" (follow their
    settings). Raises RegistrationError without an active registration or with another value."""
    if choice not in LISTING_CHOICES:
        raise RegistrationError(_("Choose to appear, to stay hidden or your default."))
    listed = LISTING_CHOICES[choice]
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update()
            .filter(event=event, user=user, status__in=ACTIVE_STATUSES)
            .first()
        )
        if registration is None:
            raise RegistrationError(_("You have no registration to this event."), code="not_active")
        if registration.listed is not listed:
            registration.listed = listed
            registration.save(update_fields=["listed", "updated_at"])
    return registration
