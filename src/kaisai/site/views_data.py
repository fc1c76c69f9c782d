"""A person's own data: download it as JSON, or delete the account (docs/security.md)."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kaisai.accounts.requests import signed_in_user
from kaisai.site.selectors_personal_data import personal_data_of
from kaisai.site.services_personal_data import (
    AccountDeletionError,
    delete_account,
    groups_only_owned_by,
)


class DeleteAccountForm(forms.Form):
    """Confirmed with the password (or, for an account without one, the nickname)."""

    confirmation = forms.CharField(label=gettext_lazy("Your password"), strip=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if user.has_usable_password():
            self.fields["confirmation"].widget = forms.PasswordInput(
                attrs={"autocomplete": "current-password"}
            )
        else:
            self.fields["confirmation"].label = gettext_lazy("Your nickname")

    def clean_confirmation(self) -> str:
        value = self.cleaned_data["confirmation"]
        if self.user.has_usable_password():
            if not self.user.check_password(value):
                raise forms.ValidationError(_("The password is not correct."))
        elif value != self.user.nickname:
            raise forms.ValidationError(_("Type your nickname to confirm."))
        return value


def _page(request: HttpRequest, form: DeleteAccountForm, status: int = 200) -> HttpResponse:
    user = signed_in_user(request)
    context = {"form": form, "last_owned": groups_only_owned_by(user)}
    return render(request, "accounts/settings_data.html", context, status=status)


@login_required
def data(request: HttpRequest) -> HttpResponse:
    return _page(request, DeleteAccountForm(user=signed_in_user(request)))


@login_required
def data_export(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    body = json.dumps(personal_data_of(user), ensure_ascii=False, indent=2, default=str)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"kaisai-{user.nickname}-{timezone.localdate():%Y%m%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def data_delete(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = DeleteAccountForm(request.POST, user=user)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        delete_account(user=user)
    except AccountDeletionError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("accounts:data")
    logout(request)
    messages.success(request, _("Your account has been deleted."))
    return redirect("home")
