"""What a new registration writes, defined once for its three write paths.

`participants._create` (the ORM's seat-last and lock-first paths) saves these instances;
`onestatement` (PostgreSQL) inserts the same instances' columns in one statement, taking from
SQL only what the statement decides (status, waitlist key) and the ids that link the rows.
The audit row and the mail come from `audit` (`log_entry`, `mail_key`, `MAIL_FOR`).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from kaisai.accounts.models import User
from kaisai.registrations.models import Answer, Frame, Registration, RegistrationLog
from kaisai.registrations.services import audit

REGISTERED = gettext_noop("registered")


def new_registration(
    frame: Frame, user: User, *, status: str = "", waitlist_key: int | None = None,
    afterparty: bool = False,
) -> Registration:  # fmt: skip
    return Registration(
        event_id=frame.event_id,
        frame=frame,
        user=user,
        status=status,
        waitlist_key=waitlist_key,
        afterparty=afterparty,
    )


def new_answers(registration: Registration, cleaned: dict[int, Any]) -> list[Answer]:
    return [
        Answer(registration=registration, question_id=question_id, value=value)
        for question_id, value in cleaned.items()
    ]


def new_log(registration: Registration, user: User) -> RegistrationLog:
    """The audit row of a new registration (registered by the person themself)."""
    return audit.log_entry(registration, from_status="", actor=user, reason=REGISTERED)
