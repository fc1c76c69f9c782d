from __future__ import annotations

from urllib.parse import urlencode

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.utils import get_next_redirect_url
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
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
