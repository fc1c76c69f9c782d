"""When the database is away (restarted, failed over, PgBouncer reconnecting), answer 503 with
`Retry-After` instead of a 500 with a traceback: JSON under /api/, a short page elsewhere.

Only the errors of a lost or refused connection are caught (Django's OperationalError and
InterfaceError, which is what psycopg's and sqlite3's connection failures become); a bug stays
a 500. Django closes a connection that raised at the end of the request, and
`CONN_HEALTH_CHECKS` (settings.py) checks a persistent one before reuse, so the app servers
reconnect by themselves once the database is back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger("kaisai.unavailable")

OUTAGE_ERRORS = (OperationalError, InterfaceError)
# SQLite reports a query that does not fit the schema as an OperationalError too: those are
# bugs (a 500 with its traceback), not an outage.
_SQLITE_SCHEMA_ERRORS = ("no such column", "no such table", "syntax error", "has no column")


def is_outage(error: BaseException) -> bool:
    """A lost, refused or locked connection — not a query that could never have run."""
    if not isinstance(error, OUTAGE_ERRORS):
        return False
    text = str(error).lower()
    return not any(marker in text for marker in _SQLITE_SCHEMA_ERRORS)


def describe(error: BaseException) -> str:
    """The first line of an outage error, for a one-line log entry."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def retry_after() -> int:
    return int(getattr(settings, "KAISAI_RETRY_AFTER_SECONDS", 5))


def unavailable_response(request: HttpRequest) -> HttpResponse:
    seconds = retry_after()
    detail = _("The service is briefly unavailable. Please try again in a few seconds.")
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": detail, "reason": "unavailable", "retry_after": seconds},
            status=503,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        # A page that needs nothing from the database (no user, no session, no base.html).
        response = HttpResponse(render_to_string("503.html", {"retry_after": seconds}), status=503)
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return outage_response(request, exception)


def outage_response(request: HttpRequest, exception: BaseException) -> HttpResponse | None:
    """The 503 for an outage error (logged in one line), or None for any other error. For a
    view's exception (above) and for middleware that reads the database before the view
    (site/event_page_early.py), whose errors Django's view hooks never see."""
    if not is_outage(exception):
        return None
    # One line, no traceback: an outage is an operational event, not a bug.
    logger.warning(
        "database unavailable: %s %s → 503 (%s)",
        request.method,
        request.path,
        describe(exception),
    )
    return unavailable_response(request)
