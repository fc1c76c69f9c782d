from __future__ import annotations

from typing import cast

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kaisai.accounts.models import User
from kaisai.core.images import ImageUploadField


class LoginForm(AllauthLoginForm):
    """allauth's login form, saying "nickname" (the public handle) where allauth says
    "username": one word for it on every page."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.label = _("Nickname or email")
        login.widget.attrs["placeholder"] = ""


class SignupForm(AllauthSignupForm):
    display_name = forms.CharField(label=_("Display name"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # allauth calls the login name "username"; on kaisai it is the permanent nickname.
        if "username" in self.fields:
            self.fields["username"].label = _("Nickname")
            self.fields["username"].help_text = User._meta.get_field("nickname").help_text
            self.fields["username"].widget.attrs["placeholder"] = ""
        self.fields["display_name"].help_text = _("Shown instead of your nickname, e.g. 佐藤 健.")

    def save(self, request):
        user = super().save(request)
        if self.cleaned_data.get("display_name"):
            user.display_name = self.cleaned_data["display_name"]
            user.save(update_fields=["display_name"])
        return user


class ProfileForm(forms.ModelForm):
    """The editable part of a profile. The nickname is permanent and not part of it."""

    class Meta:
        model = User
        fields = [
            "display_name",
            "bio",
            "avatar",
            "x_account",
            "github_account",
            "website",
            "preferred_language",
            "show_in_lists",
        ]
        widgets = {"bio": forms.Textarea(attrs={"rows": 5})}
        field_classes = {"avatar": ImageUploadField}
        help_texts = {
            "bio": _("Plain text; line breaks are kept."),
            "x_account": _("Without @."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["preferred_language"]).choices = [
            ("", _("Browser's language")),
            *settings.LANGUAGES,
        ]

    def changes(self) -> dict:
        """The cleaned values, ready for `update_profile`."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        help_text=_("What the token is for, e.g. “event bot”."),
    )
