"""Every status change leaves an audit row and, where the person should know, a mail.

This module is the one definition of those rows: `log_entry` (the audit row), `mail_key`
(the outbox key: one mail per registration and status change) and `MAIL_FOR` (the mail for a
status). `record` writes them through the ORM; the PostgreSQL one-statement registration
(`onestatement`) builds its rows from the same three (tests/registrations/test_onestatement.py
compares both). Then the status listeners connected in `registrations.hooks` run (tickets,
talks), in the same transaction.
"""

from __future__ import annotations

from kaisai.accounts.models import User
from kaisai.core.outbox import queue_mail
from kaisai.registrations import hooks
from kaisai.registrations.enums import Status
from kaisai.registrations.models import Registration, RegistrationLog

# The mail a person gets when their registration reaches a status (None: no mail).
MAIL_FOR = {
    Status.APPLIED: "registration_received",
    Status.ACCEPTED: "registration_accepted",
    Status.WAITLISTED: "registration_waitlisted",
    Status.REJECTED: "registration_rejected",
    Status.CANCELLED: "registration_cancelled",
}


def mail_key(registration_id: object, log_id: object) -> str:
    """The outbox key of the mail for one status change (one mail per change and person).
    `onestatement` passes SQL expressions' results through the same format."""
    return f"registration-{registration_id}-{log_id}"


def log_entry(
    registration: Registration, *, from_status: str, actor: User | None, reason: str
) -> RegistrationLog:
    """The (unsaved) audit row of a change of `registration` to its current status."""
    return RegistrationLog(
        registration=registration,
        from_status=from_status,
        to_status=registration.status,
        frame_id=registration.frame_id,
        actor=actor,
        reason=reason[:500],
    )


def record(
    registration: Registration,
    *,
    from_status: str,
    actor: User | None = None,
    reason: str = "",
    mail: str | None = "",
    notify: bool = True,
) -> RegistrationLog:
    """Write the audit row and queue the mail (`mail=""`: the default for the new status),
    then run the status listeners (`hooks.status_changed`; `notify=False`: the caller runs
    them, later in the same transaction)."""
    entry = log_entry(registration, from_status=from_status, actor=actor, reason=reason)
    entry.save(force_insert=True)
    template = MAIL_FOR.get(Status(registration.status)) if mail == "" else mail
    if template:
        queue_mail(
            key=mail_key(registration.pk, entry.pk),
            user=registration.user,
            template=template,
            context={"registration": registration},
        )
    if notify:
        hooks.status_changed(registration, from_status)
    return entry
