from __future__ import annotations

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.utils.translation import gettext_lazy as _


class SignupForm(AllauthSignupForm):
    display_name = forms.CharField(label=_("Display name"), max_length=100, required=False)

    def save(self, request):  # type: ignore[no-untyped-def]
        user = super().save(request)
        if self.cleaned_data.get("display_name"):
            user.display_name = self.cleaned_data["display_name"]
            user.save(update_fields=["display_name"])
        return user
