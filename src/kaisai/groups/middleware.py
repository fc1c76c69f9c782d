"""Sends an owner or organizer of a group that requires two-factor authentication, who has none
yet, to set it up (`kaisai.groups.access.MFARequired`, raised only by the access rules)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from kaisai.groups.access import MFARequired


class MFARequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, MFARequired) or request.path.startswith("/api/"):
            return None  # the API answers it as its 403
        messages.warning(
            request,
            _(
                "The group “%(group)s” requires two-factor authentication of its organizers. "
                "Set it up here, then open the page again."
            )
            % {"group": exception.group.title},
        )
        target = reverse("mfa_index")
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)
