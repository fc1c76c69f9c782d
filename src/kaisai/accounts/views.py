from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kaisai.accounts import selectors, services
from kaisai.accounts.forms import ApiTokenForm, ProfileForm
from kaisai.accounts.models import ApiToken, User

NEW_TOKEN_SESSION_KEY = "kaisai_new_api_token"  # noqa: S105 - a session key name


def _me(request: HttpRequest) -> User:
    """The logged-in user (views behind @login_required)."""
    return cast(User, request.user)


@login_required
def profile_settings(request: HttpRequest) -> HttpResponse:
    # The form works on its own copy so that rejected input never shows up in the page header.
    me = _me(request)
    fresh = User.objects.get(pk=me.pk)
    form = ProfileForm(request.POST or None, request.FILES or None, instance=fresh)
    if request.method == "POST" and form.is_valid():
        user = services.update_profile(user=me, **form.changes())
        messages.success(request, _("Your profile has been saved."))
        response = redirect("accounts:settings")
        if user.preferred_language:
            # The chosen language also wins over an earlier choice made in this browser.
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                user.preferred_language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=settings.LANGUAGE_COOKIE_SECURE,
            )
        return response
    return render(request, "accounts/settings_profile.html", {"form": form})


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _token, key = services.create_api_token(user=_me(request), name=form.cleaned_data["name"])
        # Shown on the next page exactly once; only its hash is stored.
        request.session[NEW_TOKEN_SESSION_KEY] = key
        return redirect("accounts:tokens")
    context = {
        "form": form,
        "tokens": selectors.api_tokens_of(_me(request)),
        "new_token": request.session.pop(NEW_TOKEN_SESSION_KEY, None),
    }
    return render(request, "accounts/settings_tokens.html", context)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.revoke_api_token(token=token)
    message = _("The token %(prefix)s… has been revoked.") % {"prefix": token.prefix}
    messages.success(request, message)
    return redirect("accounts:tokens")
