"""The middleware only the site's pages need, skipped for the API (docs/security.md, "The
API's middleware").

In `MIDDLEWARE` the pages' own layers — sessions, CSRF, authentication by session, the
preferred language of the session's user, messages, the two-factor redirect, allauth, htmx —
stand between `WebOnlyStart` and `WebOnlyEnd`. A page goes through all of them as before. A
request under /api/ goes from `WebOnlyStart` straight to what `WebOnlyEnd` leads to (Django's
view handling: URL resolution, the views' hooks, the view), past those layers. The API
authenticates by personal token only (no operation accepts a session, so none needs CSRF;
django-ninja marks its views csrf-exempt and API v2's are too), answers JSON (no messages, no
htmx, no allauth pages), and in a rush those layers were about a tenth of a registration's
app CPU (bench/RESULTS.md). The layers stay listed in `MIDDLEWARE` itself, where Django's and
allauth's checks look for them; their `process_view` and `process_exception` hooks still run
for API views as Django calls them (CSRF's lets csrf-exempt views through, the two-factor
redirect leaves /api/ to the API's 403).

What an API request still gets from those layers, kept here: `request.user` is the anonymous
user until a token says otherwise, and the answer says `Vary: Cookie`, as it did when the
session layer was read (the language cookie chooses the language of public answers).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

API_PREFIX = "/api/"
Handler = Callable[[HttpRequest], HttpResponse]

# Django builds a handler's middleware from the last to the first, in one thread: the end
# marker leaves the rest of the chain here for the start marker built a few layers later.
_built = threading.local()


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


class WebOnlyEnd:
    """The end of the pages' layers (last in `MIDDLEWARE`)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        _built.after_web_only = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)


class WebOnlyStart:
    """The start of the pages' layers: an API request skips to the end."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        if not hasattr(_built, "after_web_only"):
            raise ImproperlyConfigured("WebOnlyStart needs WebOnlyEnd after it in MIDDLEWARE")
        self.after_web_only: Handler = _built.__dict__.pop("after_web_only")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_api(request):
            return self.get_response(request)
        request.user = AnonymousUser()  # (a token operation sets its user)
        response = self.after_web_only(request)
        patch_vary_headers(response, ("Cookie",))
        return response
