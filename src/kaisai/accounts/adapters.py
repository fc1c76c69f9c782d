from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _

from kaisai.core.site import current_site


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

    def format_email_subject(self, subject: str) -> str:
        # "[kaisai] …" from KAISAI_SITE_NAME, never the database's Site ("example.com").
        return f"[{settings.KAISAI_SITE_NAME}] {force_str(subject)}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # The mail templates' `current_site` and `BASE_URL` come from the settings.
        context = {**context, "current_site": current_site(), "BASE_URL": settings.BASE_URL}
        super().send_mail(template_prefix, email, context)
