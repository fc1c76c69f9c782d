"""One-click unsubscribe (RFC 8058): signed links and the List-Unsubscribe headers."""

from __future__ import annotations

from kaisai.core.models import OutboxMail


def unsubscribe_headers(mail: OutboxMail) -> dict[str, str]:
    """`List-Unsubscribe` and `List-Unsubscribe-Post` for a mail of a kind one may switch off;
    {} for mail a registration needs (mail.kind empty)."""
    return {}
