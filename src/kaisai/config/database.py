"""The database connection's settings (settings.DATABASES["default"]) for SQLite and
PostgreSQL, directly or behind PgBouncer (docs/configuration.md, docs/deploy.md)."""

from __future__ import annotations

from typing import Any

import dj_database_url

SQLITE = "django.db.backends.sqlite3"
POSTGRESQL = "django.db.backends.postgresql"


def database(url: str, *, pgbouncer: bool) -> dict[str, Any]:
    settings: dict[str, Any] = dict(
        dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    )
    if settings["ENGINE"] == SQLITE:
        settings["CONN_MAX_AGE"] = 0
        settings["OPTIONS"] = {
            # Writers are serialised by IMMEDIATE transactions; readers go on beside them (WAL).
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        }
    elif pgbouncer:
        # In transaction pooling a server connection changes hands between transactions, so
        # nothing may outlive one: no server-side cursors, and no prepared statements kept by
        # psycopg (PgBouncer before 1.21 cannot route them).
        settings["DISABLE_SERVER_SIDE_CURSORS"] = True
        settings.setdefault("OPTIONS", {})["prepare_threshold"] = None
    elif settings["ENGINE"] == POSTGRESQL:
        # The event page's fingerprint is PREPAREd once per connection (the only prepared
        # statement: Django's connections have no prepare_threshold) and planned once, not
        # anew for each event id (site/event_page_fingerprint.py). Set at connection start,
        # so no transaction's rollback undoes it.
        options = settings.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c plan_cache_mode=force_generic_plan"
    return settings
