"""The `kaisai` command: Django's management commands with kaisai's own beside them.

kaisai serve            the web server (gunicorn) together with a background worker
kaisai worker           the background worker alone (mails, lottery draws, reminders)
kaisai demo             load the demo data (a realistic meetup series)
kaisai token create     print personal API tokens
kaisai migrate, ...     every Django management command

A missing or invalid setting is one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import os
import sys


def load_settings() -> None:
    """Evaluate the settings now, so that a bad one is one clear line (exit status 2)."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.INSTALLED_APPS  # noqa: B018 - evaluating the settings module is the point
    except (ImproperlyConfigured, ValueError) as error:
        print(f"kaisai: configuration error: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaisai.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    load_settings()
    execute_from_command_line(["kaisai", *args])


if __name__ == "__main__":
    main()
