"""Signed one-click links in mails: "I can't come" (cancel) and "still coming?" (reconfirm).

A token is `django.core.signing` of the registration id (and, for reconfirmation, the answer),
signed with SECRET_KEY and a salt per purpose, so a cancel token is never accepted as a
reconfirmation answer and the other way round. The signed link is the authority: no login is
needed to use it. Tokens carry no time of their own: a token is valid until the event's end,
checked when it is used (`event.ends_at`), so moving the event moves the expiry too.

- `LinkInvalid` (400): tampered, truncated, or of another purpose; also an unknown registration.
- `LinkExpired` (410): the event has ended.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from kaisai.notices.enums import Answer
from kaisai.registrations.models import Registration

CANCEL_SALT = "kaisai.notices.links.cancel"
RECONFIRM_SALT = "kaisai.notices.links.reconfirm"
MAX_TOKEN_LENGTH = 200


class LinkInvalid(Exception):
    """The token was not issued by this site for this purpose (or its registration is gone)."""


class LinkExpired(Exception):
    """The token was valid, but its event has ended."""


def cancel_token(registration_id: int) -> str:
    return signing.dumps(registration_id, salt=CANCEL_SALT)


def reconfirm_token(registration_id: int, answer: str) -> str:
    return signing.dumps([registration_id, str(answer)], salt=RECONFIRM_SALT)


def cancel_url(registration_id: int) -> str:
    """The absolute "I can't come" URL for a mail."""
    path = reverse("notices:cancel_link", kwargs={"token": cancel_token(registration_id)})
    return settings.BASE_URL + path


def reconfirm_url(registration_id: int, answer: str) -> str:
    token = reconfirm_token(registration_id, answer)
    return settings.BASE_URL + reverse("notices:reconfirm_link", kwargs={"token": token})


def _loads(token: str, salt: str):
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise LinkInvalid
    try:
        return signing.loads(token, salt=salt)
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise LinkInvalid from error


def _registration(registration_id, now: datetime | None) -> Registration:
    if not isinstance(registration_id, int) or isinstance(registration_id, bool):
        raise LinkInvalid
    registration = (
        Registration.objects.select_related("event__group", "frame", "user")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None:
        raise LinkInvalid
    if (now or timezone.now()) >= registration.event.ends_at:
        raise LinkExpired
    return registration


def registration_for_cancel(token: str, *, now: datetime | None = None) -> Registration:
    """The registration a cancel token names; LinkInvalid or LinkExpired otherwise."""
    return _registration(_loads(token, CANCEL_SALT), now)


def registration_for_reconfirm(
    token: str, *, now: datetime | None = None
) -> tuple[Registration, str]:
    """(registration, answer) of a reconfirmation token; LinkInvalid or LinkExpired otherwise."""
    value = _loads(token, RECONFIRM_SALT)
    if not isinstance(value, list) or len(value) != 2 or value[1] not in Answer.values:
        raise LinkInvalid
    return _registration(value[0], now), value[1]
