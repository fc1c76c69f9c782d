"""The native API, /api/v1/ (OpenAPI 3 at /api/v1/openapi.json, docs at /api/v1/docs)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from kaisai.api.v1 import (
    checkin,
    events,
    insights,
    manage,
    me,
    messages,
    participants,
    public,
    recaps,
    registrations,
    surveys,
)
from kaisai.core.controls import clean_value
from kaisai.groups.access import MFARequired
from kaisai.registrations.errors import RegistrationError


class CleanJsonParser(Parser):
    """JSON bodies without control characters in any string (kaisai.core.controls)."""

    def parse_body(self, request: HttpRequest):
        return clean_value(super().parse_body(request))


api = NinjaAPI(
    parser=CleanJsonParser(),
    title="kaisai API",
    version="1",
    description=(
        "Native API of kaisai. Public reads need no token; everything else takes a personal "
        "token (`kaisai token create NICKNAME`, or the settings page) as "
        "`Authorization: Bearer TOKEN`. Errors are JSON: `detail` (readable), `reason` (code)."
    ),
    urls_namespace="api-v1",
)
api.add_router("/", events.router)
api.add_router("/", registrations.router)
api.add_router("/", checkin.router)
api.add_router("/", public.router)
api.add_router("/", me.router)
api.add_router("/", manage.router)
api.add_router("/", messages.router)
api.add_router("/", insights.router)
api.add_router("/", participants.router)
api.add_router("/", surveys.router)
api.add_router("/", recaps.router)

# How a RegistrationError's code maps to an HTTP status.
STATUS_FOR_REASON = {
    "invalid_answers": 422,
    "talk_required": 422,
    "empty_audience": 422,
    "talk_invalid": 422,
    "no_talks": 422,
    "invalid": 422,
    "wrong_event": 422,
    "not_open": 409,
    "closed": 409,
    "full": 409,
    "afterparty_full": 409,
    "not_active": 409,
    "decided": 409,
    "lottery_pending": 409,
    "not_applicant": 409,
    "not_waitlisted": 409,
    "no_standby": 409,
    "over": 409,
    "lottery_losers_excluded": 409,
    "talk_exists": 409,
    "already_speaker": 409,
}


def _error(request: HttpRequest, status: int, detail: str, reason: str, errors=None):
    body = {"detail": detail, "reason": reason}
    if errors:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


@api.exception_handler(RegistrationError)
def registration_error(request: HttpRequest, exc: RegistrationError):
    errors = exc.message_dict if hasattr(exc, "error_dict") else None
    detail = "; ".join(exc.messages)
    if errors and exc.questions:
        # Name the question of each answer error: "Question 12 “Job”: This question is required."
        detail = "; ".join(
            _("Question %(id)s “%(text)s”: %(message)s")
            % {"id": field[1:], "text": exc.questions[field], "message": message}
            if field in exc.questions
            else message
            for field, messages in errors.items()
            for message in messages
        )
    return _error(request, STATUS_FOR_REASON.get(exc.reason, 400), detail, exc.reason, errors)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404):
    return _error(request, 404, str(exc) or "Not found.", "not_found")


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied):
    return _error(request, 403, "You may not do this.", "forbidden")


@api.exception_handler(MFARequired)
def mfa_required(request: HttpRequest, exc: MFARequired):
    """A group that requires two-factor authentication of its organizers (docs/security.md)."""
    message = "This group requires two-factor authentication: turn it on in your settings."
    return _error(request, 403, message, "mfa_required")


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: AuthenticationError):
    return _error(request, 401, "A valid API token is required.", "unauthorized")


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError):
    """ninja's own errors (e.g. a body that is not JSON: 400) in the API's error shape."""
    reason = {400: "bad_request", 405: "method_not_allowed", 429: "rate_limited"}
    return _error(request, exc.status_code, str(exc), reason.get(exc.status_code, "error"))


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError):
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        field = ".".join(str(part) for part in error.get("loc", []) if part not in ("body",))
        errors.setdefault(field or "body", []).append(str(error.get("msg", "invalid")))
    return _error(request, 422, "The request is not valid.", "invalid", errors)
