"""The gate every connpass-compatible endpoint passes: GET only, a personal API token in
`X-API-Key` (401), the per-key rate limit (429), and JSON errors `{detail, reason}` for bad
parameters (400) and unknown objects (404)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.vary import vary_on_headers

from kaisai.accounts.models import ApiToken, User
from kaisai.accounts.selectors import user_for_api_token
from kaisai.api.v2 import ratelimit
from kaisai.api.v2.params import ParamError

View = Callable[..., HttpResponse]


# connpass answers `application/json; charset=utf-8`; the charset matters here, since names
# and descriptions are written as UTF-8 characters, not \u escapes.
CONTENT_TYPE = "application/json; charset=utf-8"


def json_response(data: dict[str, Any], status: int = 200) -> JsonResponse:
    return JsonResponse(
        data, status=status, content_type=CONTENT_TYPE, json_dumps_params={"ensure_ascii": False}
    )


def error(status: int, detail: str, reason: str, **extra: Any) -> JsonResponse:
    return json_response({"detail": detail, "reason": reason, **extra}, status=status)


def api_v2_view(view: Callable[..., dict[str, Any]]) -> View:
    """Wrap a function (request, user, **kwargs) → JSON body into a connpass-style endpoint."""

    # csrf_exempt: the API has no session and no writes; a POST must get the 405 below, not
    # the CSRF middleware's 403 page.
    @csrf_exempt
    @wraps(view)
    @vary_on_headers("X-API-Key")
    def endpoint(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            response = error(405, _("Only GET is allowed."), "method_not_allowed")
            response["Allow"] = "GET, HEAD"
            return response
        key = request.headers.get("X-API-Key", "").strip()
        user: User | None = user_for_api_token(key) if key else None
        if user is None:
            return error(401, _("A valid API key is required in X-API-Key."), "unauthorized")
        retry_after = ratelimit.hit(ApiToken.hash_key(key))
        if retry_after is not None:
            response = error(429, _("Too many requests for this API key."), "rate_limited")
            response["Retry-After"] = str(retry_after)
            return response
        try:
            return json_response(view(request, user, **kwargs))
        except ParamError as invalid:
            return error(400, _("The request is not valid."), "invalid", errors=invalid.errors)
        except Http404:
            return error(404, _("Not found."), "not_found")

    return endpoint
