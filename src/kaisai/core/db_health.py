"""The database connection's health check, only for a connection that has been idle.

Django checks a persistent connection (`CONN_HEALTH_CHECKS`) before the first query of each
request: a `SELECT 1` round trip — 9% of a registration's app CPU in the rush, and a second
statement for the cached event page, whose answer is otherwise one. A connection that served
a request less than `FRESH_SECONDS` ago is taken as alive and not checked again; after a
longer pause it is, as before. The price: should the database restart within that second, the
first request on each such connection fails (Django then finds the connection unusable at the
end of that request and opens a new one for the next), where the check would have reconnected
first. A restart fails the requests in flight anyway.
"""

from __future__ import annotations

from time import monotonic
from typing import Any

from django.core.signals import request_finished, request_started
from django.db import connections

FRESH_SECONDS = 1.0
_USED_AT = "_kaisai_used_at"


def _stamp(**_: Any) -> None:
    now = monotonic()
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None:
            setattr(connection, _USED_AT, now)


def _skip_if_fresh(**_: Any) -> None:
    now = monotonic()
    for connection in connections.all(initialized_only=True):
        used_at = getattr(connection, _USED_AT, None)
        if (
            connection.connection is not None
            and used_at is not None
            and now - used_at < FRESH_SECONDS
        ):
            connection.health_check_done = True  # type: ignore[attr-defined]  # Django 4.1+


def connect() -> None:
    """After Django's own `close_old_connections` (connected when django.db is imported),
    which marks every connection as not yet checked at the start of a request."""
    request_started.connect(_skip_if_fresh, dispatch_uid="kaisai.core.db_health.fresh")
    request_finished.connect(_stamp, dispatch_uid="kaisai.core.db_health.stamp")
