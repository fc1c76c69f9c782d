"""Logs (text or one JSON object per line, docs/operations.md) and error reporting to Sentry
(off unless SENTRY_DSN is set)."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured


def logging_config(log_format: str, level: str) -> dict:
    """Django's LOGGING: the console, as text or JSON (python-json-logger, for collectors)."""
    if log_format not in ("text", "json"):
        raise ImproperlyConfigured(f"KAISAI_LOG_FORMAT must be text or json, not {log_format!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            },
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                **({"formatter": "json"} if log_format == "json" else {}),
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django.db.backends": {"level": "WARNING"}},
    }


def init_sentry(dsn: str, *, traces_sample_rate: float, environment: str) -> None:
    """Send unhandled errors to Sentry (or a compatible service), without personal data."""
    try:
        import sentry_sdk
    except ImportError as error:
        raise ImproperlyConfigured(
            "SENTRY_DSN is set but sentry-sdk is not installed: pip install 'kaisai[sentry]'"
        ) from error
    sentry_sdk.init(
        dsn=dsn,
        send_default_pii=False,  # no e-mail addresses or IPs leave the site
        traces_sample_rate=traces_sample_rate,
        environment=environment,
    )
