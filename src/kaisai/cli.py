"""The `kaisai` command: Django's management commands with kaisai's own beside them.

kaisai serve            the web server (gunicorn) together with a background worker
kaisai worker           the background worker alone (mails, lottery draws, reminders)
kaisai demo             load the demo data (a realistic meetup series)
kaisai token create     print personal API tokens
kaisai migrate, ...     every Django management command
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaisai.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    execute_from_command_line(["kaisai", *args])


if __name__ == "__main__":
    main()
