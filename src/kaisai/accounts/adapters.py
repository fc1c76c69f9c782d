from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.utils import get_next_redirect_url
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _

from kaisai.core import counters
from kaisai.core.clientip import client_ip
from kaisai.core.site import current_site

# Failed logins of one account from all addresses, per 10-minute window: past this ceiling an
# address that has already failed for the account is refused; a fresh one (its owner
# elsewhere) still gets through. See docs/security.md.
ACCOUNT_FAILURES_CEILING = 30
ACCOUNT_WINDOW_SECONDS = 600


def _window_keys(account: str, ip: str) -> tuple[str, str]:
    window = int(time.time() // ACCOUNT_WINDOW_SECONDS)
    return (
        f"kaisai:login-failed:account:{account}:{window}",
        f"kaisai:login-failed:pair:{account}:{ip}:{window}",
    )


class AccountAdapter(DefaultAccountAdapter):
    # The public handle is the "nickname" everywhere, never allauth's "username".
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "username_blacklisted": _("This nickname cannot be used. Please choose another one."),
        "username_password_mismatch": _("The nickname and/or password are not correct."),
        "username_taken": _("This nickname is already taken."),
    }

    def save_user(self, request, user, form, commit=True):
        # A new account speaks the language it signed up in.
        user.preferred_language = translation.get_language() or ""
        return super().save_user(request, user, form, commit=commit)

    def get_email_confirmation_url(self, request, emailconfirmation):
        """The mail's link carries the sign-up's `next` (e.g. the event registration the
        person came from): the confirmation page passes it on, so that confirming — and, in
        another browser, the login after it — lands there, not on the home page. Only a safe
        URL of this site is kept (`get_next_redirect_url`)."""
        url = super().get_email_confirmation_url(request, emailconfirmation)
        next_url = get_next_redirect_url(request) if request is not None else None
        return f"{url}?{urlencode({'next': next_url})}" if next_url else url

    def get_client_ip(self, request: HttpRequest) -> str:
        """The real client behind trusted proxies (KAISAI_TRUSTED_PROXIES): every allauth
        rate limit counts per visitor, not per proxy."""
        return client_ip(request)

    def _account(self, request: HttpRequest, **credentials: Any) -> str:
        return super()._get_login_attempts_cache_key(request, **credentials)

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        """Failed logins are counted per (account, client IP): someone guessing a password
        from elsewhere slows only themselves and never locks the owner out of their account
        (ACCOUNT_RATE_LIMITS["login_failed"], docs/security.md)."""
        return f"{self._account(request, **credentials)}:{client_ip(request)}"

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        account_key, pair_key = _window_keys(
            self._account(request, **credentials), client_ip(request)
        )
        counts = cache.get_many([account_key, pair_key])
        if counts.get(pair_key, 0) > 0 and counts.get(account_key, 0) >= ACCOUNT_FAILURES_CEILING:
            raise self.validation_error("too_many_login_attempts")
        super().pre_authenticate(request, **credentials)

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        for key in _window_keys(self._account(request, **credentials), client_ip(request)):
            counters.bump(key, timeout=ACCOUNT_WINDOW_SECONDS * 2)
        super().authentication_failed(request, **credentials)

    def format_email_subject(self, subject: str) -> str:
        # "[kaisai] …" from KAISAI_SITE_NAME, never the database's Site ("example.com").
        return f"[{settings.KAISAI_SITE_NAME}] {force_str(subject)}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # The mail templates' `current_site` and `BASE_URL` come from the settings.
        context = {**context, "current_site": current_site(), "BASE_URL": settings.BASE_URL}
        super().send_mail(template_prefix, email, context)
