from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.utils import translation

from kaisai.core.clientip import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        # A new account speaks the language it signed up in.
        user.preferred_language = translation.get_language() or ""
        return super().save_user(request, user, form, commit=commit)

    def get_client_ip(self, request: HttpRequest) -> str:
        """The real client behind trusted proxies (KAISAI_TRUSTED_PROXIES): every allauth
        rate limit counts per visitor, not per proxy."""
        return client_ip(request)

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        """Failed logins are counted per (account, client IP): someone guessing a password
        from elsewhere slows only themselves and never locks the owner out of their account
        (ACCOUNT_RATE_LIMITS["login_failed"], docs/security.md)."""
        return (
            f"{super()._get_login_attempts_cache_key(request, **credentials)}:{client_ip(request)}"
        )
