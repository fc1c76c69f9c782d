"""Reads about mail delivery: which addresses the mail server refused for good."""

from __future__ import annotations

from collections.abc import Iterable

from kaisai.core.models import UndeliverableAddress


def undeliverable_emails(users: Iterable) -> set[str]:
    """The (lower-case) e-mail addresses of `users` that are undeliverable — one query.
    Compare with `user.email.lower()`."""
    emails = {user.email.strip().lower() for user in users if getattr(user, "email", "")}
    if not emails:
        return set()
    return set(
        UndeliverableAddress.objects.filter(email__in=emails).values_list("email", flat=True)
    )


def demo_mails(to: str = ""):
    """The demo mailbox, newest first; `to` keeps the mails whose recipient contains it
    (an address or part of one, any case)."""
    from kaisai.core.models import DemoMail

    mails = DemoMail.objects.all()
    to = to.strip()
    if to:
        mails = mails.filter(to__icontains=to)
    return mails
