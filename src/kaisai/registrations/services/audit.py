"""Every status change leaves an audit row and, where the person should know, a mail."""

from __future__ import annotations

from kaisai.core.outbox import queue_mail
from kaisai.registrations.enums import Status
from kaisai.registrations.models import Registration, RegistrationLog
from kaisai.talks.services.sync import sync_talk_state

# The mail a person gets when their registration reaches a status (None: no mail).
MAIL_FOR = {
    Status.APPLIED: "registration_received",
    Status.ACCEPTED: "registration_accepted",
    Status.WAITLISTED: "registration_waitlisted",
    Status.REJECTED: "registration_rejected",
    Status.CANCELLED: "registration_cancelled",
}


def record(
    registration: Registration,
    *,
    from_status: str,
    actor=None,
    reason: str = "",
    mail: str | None = "",
) -> RegistrationLog:
    """Write the audit row and queue the mail (`mail=""`: the default for the new status)."""
    entry = RegistrationLog.objects.create(
        registration=registration,
        from_status=from_status,
        to_status=registration.status,
        frame_id=registration.frame_id,
        actor=actor,
        reason=reason[:500],
    )
    template = MAIL_FOR.get(Status(registration.status)) if mail == "" else mail
    if template:
        queue_mail(
            key=f"registration-{registration.pk}-{entry.pk}",
            user=registration.user,
            template=template,
            context={"registration": registration},
        )
    sync_talk_state(registration, from_status=from_status)  # an LT talk follows its seat
    return entry
