"""The private "my schedule" calendar link (/my/calendar/<token>.ics).

The link carries `<user id>-<row id>.<signature>`: the id of an `ApiToken` row named
"calendar" that belongs to the user, signed with SECRET_KEY. The row is the per-user secret
state, so the link can be shown again at any time (it is recomputed, never stored) and reset
(a new row replaces the old one, and the old link stops working). The row's own key is random
and thrown away: it never works as an API token. Revoking the row on the API tokens page also
switches the link off.
"""

from __future__ import annotations

from django.core import signing
from django.db import transaction

from kaisai.accounts.models import ApiToken, User
from kaisai.accounts.services import create_api_token

TOKEN_NAME = "calendar"  # noqa: S105 - the name of the token row, not a secret
_signer = signing.Signer(salt="kaisai.events.calendar", sep=".")


def _sign(user_id: int, row_id: int) -> str:
    return _signer.sign(f"{user_id}-{row_id}")


def calendar_token_of(user: User) -> str | None:
    """The user's current calendar token, or None if the link was never made (or revoked)."""
    row = ApiToken.objects.filter(user=user, name=TOKEN_NAME).order_by("-id").first()
    return _sign(user.pk, row.pk) if row else None


def reset_calendar_link(*, user: User) -> str:
    """Make a new calendar token for the user; every earlier one stops working."""
    with transaction.atomic():
        ApiToken.objects.filter(user=user, name=TOKEN_NAME).delete()
        row, _key = create_api_token(user=user, name=TOKEN_NAME)
    return _sign(user.pk, row.pk)


def user_for_calendar_token(token: str) -> User | None:
    try:
        value = _signer.unsign(token)
    except signing.BadSignature:
        return None
    user_id, _dash, row_id = value.partition("-")
    if not (user_id.isdigit() and row_id.isdigit()):
        return None
    row = (
        ApiToken.objects.select_related("user")
        .filter(pk=int(row_id), user_id=int(user_id), name=TOKEN_NAME, user__is_active=True)
        .first()
    )
    return row.user if row else None
