from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        # A new account speaks the language it signed up in.
        user.preferred_language = translation.get_language() or ""
        return super().save_user(request, user, form, commit=commit)
