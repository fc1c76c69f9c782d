"""kaisai worker: runs background tasks (mails, lottery draws, reminders).

It is django-tasks-db's `db_worker` with kaisai's defaults: all queues, no autoreload.
Every db_worker option passes through (`kaisai worker --help`), e.g. `--batch` to work
off what is queued and exit, `--interval 5`, `--max-tasks 1000`, `--queue-name mail`.
Start as many workers as you like, on as many machines as share the database.
"""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand


class Command(DbWorkerCommand):
    help = (
        "Run the background worker (django-tasks-db's db_worker; all queues, no autoreload "
        "unless --reload)."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*", reload=False)
