"""Response headers beside the Content-Security-Policy (which django-csp sends, configured in
settings.CONTENT_SECURITY_POLICY): Permissions-Policy, `Cache-Control: private, no-store` on
private pages, and HSTS. See docs/security.md, "Headers and caching".
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# Browser features no kaisai page uses. A view that needs one says so with `allow_features`
# (the reception page uses the camera to scan tickets). Fullscreen and picture-in-picture stay
# at the browser's default (this site and the slide/video embeds that it allows).
DENIED_FEATURES = (
    "accelerometer",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "usb",
)

PRIVATE = "private, no-store"


@cache  # a handful of sets of features: built once per process, not per answer
def permissions_policy(allowed: frozenset[str] = frozenset()) -> str:
    return ", ".join(
        f"{feature}=(self)" if feature in allowed else f"{feature}=()"
        for feature in DENIED_FEATURES
    )


def allow_features(*features: str) -> Callable:
    """View decorator: these browser features are allowed for this site on this page."""
    unknown = set(features) - set(DENIED_FEATURES)
    if unknown:
        raise ValueError(f"unknown features: {unknown}")

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            response._allowed_features = frozenset(features)  # type: ignore[attr-defined]
            return response

        return wrapped

    return decorator


def private_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """View decorator: never stored by a browser or a shared cache, whoever asks."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = PRIVATE
        return response

    return wrapped


def is_private_request(request: HttpRequest) -> bool:
    """Whether the answer is for one person: a session (logged in, or a visitor with
    messages), an API token, or a secret token in the address (tickets, mail links,
    invitations, the personal calendar feed). Decided without a database query."""
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return True
    if "HTTP_AUTHORIZATION" in request.META or "HTTP_X_API_KEY" in request.META:
        return True
    match = getattr(request, "resolver_match", None)
    return bool(match and "token" in match.kwargs)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        hsts = int(settings.KAISAI_HSTS_SECONDS)
        self.hsts = ""
        if hsts > 0 and settings.BASE_URL.startswith("https://"):
            self.hsts = f"max-age={hsts}"
            if settings.KAISAI_HSTS_INCLUDE_SUBDOMAINS:
                self.hsts += "; includeSubDomains"
            if settings.KAISAI_HSTS_PRELOAD:
                self.hsts += "; preload"

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        allowed: frozenset[str] = getattr(response, "_allowed_features", frozenset())
        response.headers.setdefault("Permissions-Policy", permissions_policy(allowed))
        if "Cache-Control" not in response.headers and is_private_request(request):
            response["Cache-Control"] = PRIVATE
        if self.hsts:
            response.headers.setdefault("Strict-Transport-Security", self.hsts)
        return response
