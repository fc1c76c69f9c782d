"""One-click unsubscribe (RFC 8058): signed links and the List-Unsubscribe headers.

A link names (user, kind, group or none) and is signed with the secret key (salt below), so
the link itself is the authority: whoever holds it may switch that one kind of mail off for
that one person — nothing else. Links do not expire (an old mail's link keeps working).

Kinds in GROUP_KINDS are switched off for the mail's group; the other kinds (reminders) are
per person and switched off everywhere. Mail a registration needs has no kind and no link.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from kaisai.core.models import OutboxMail
from kaisai.notices.enums import GROUP_KINDS, MailKind

SALT = "kaisai.notices.unsubscribe"


@dataclass(frozen=True)
class Unsubscription:
    """What a valid link switches off."""

    user_id: int
    kind: str
    group_id: int | None


def _scope_group(kind: str, group_id: int | None) -> int | None:
    """Group kinds are switched off per group; the others everywhere."""
    return group_id if kind in GROUP_KINDS else None


def make_token(user_id: int, kind: str, group_id: int | None = None) -> str:
    if kind not in MailKind.values:
        raise ValueError(f"Not a kind of mail one can switch off: {kind!r}")
    payload = [user_id, kind, _scope_group(kind, group_id)]
    return signing.Signer(salt=SALT).sign_object(payload, compress=True)


def read_token(token: str) -> Unsubscription | None:
    """The unsubscription a token stands for; None if it was tampered with or is malformed."""
    try:
        payload = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(payload, list) or len(payload) != 3:
        return None
    user_id, kind, group_id = payload
    if not isinstance(user_id, int) or kind not in MailKind.values:
        return None
    if group_id is not None and not isinstance(group_id, int):
        return None
    return Unsubscription(user_id=user_id, kind=kind, group_id=group_id)


def unsubscribe_url(user_id: int, kind: str, group_id: int | None = None) -> str:
    """The absolute one-click link (GET shows a confirm page; POST switches the kind off)."""
    path = reverse("notices:unsubscribe", kwargs={"token": make_token(user_id, kind, group_id)})
    return f"{settings.BASE_URL}{path}"


def unsubscribe_headers(mail: OutboxMail) -> dict[str, str]:
    """`List-Unsubscribe` and `List-Unsubscribe-Post` for a mail of a kind one may switch off;
    {} for mail a registration needs (mail.kind empty) or without a recipient account."""
    if not mail.kind or mail.kind not in MailKind.values or mail.recipient_id is None:
        return {}
    url = unsubscribe_url(mail.recipient_id, mail.kind, mail.group_id)
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
