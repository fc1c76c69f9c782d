"""kaisai worker: runs background tasks (mails, lottery draws, reminders).

Beside the task queue it runs a ticker (core/ticker.py): the mail outbox every
KAISAI_MAIL_POLL_SECONDS (2), and lottery draws that are due every 15 s, including those
missed while no worker ran.

It is django-tasks-db's `db_worker` with kaisai's defaults: all queues, no autoreload.
Every db_worker option passes through (`kaisai worker --help`), e.g. `--batch` to work
off what is queued and exit, `--interval 5`, `--max-tasks 1000`, `--queue-name mail`.
Start as many workers as you like, on as many machines as share the database.

When the database goes away (a restart, a failover) the worker does not exit: it logs one
line, waits KAISAI_RETRY_AFTER_SECONDS and resumes; a task that was running is left to
django-tasks-db's own handling and the ticker's jobs are idempotent.
"""

from __future__ import annotations

import contextlib
import logging
import time

from django.db import connections
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from kaisai.core.ticker import Ticker
from kaisai.core.unavailable import OUTAGE_ERRORS, describe, retry_after

logger = logging.getLogger("kaisai.worker")


class Command(DbWorkerCommand):
    help = (
        "Run the background worker (django-tasks-db's db_worker; all queues, no autoreload "
        "unless --reload)."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*", reload=False)
        parser.add_argument(
            "--no-ticker",
            action="store_true",
            help="Do not run the periodic jobs (due lottery draws, mail retries) in this worker.",
        )

    def handle(self, *args, **options):
        ticker = None
        if not options.pop("no_ticker", False):
            ticker = Ticker()
            ticker.start()
        try:
            while True:
                try:
                    return super().handle(*args, **options)
                except OUTAGE_ERRORS as error:
                    wait = retry_after()
                    logger.warning(
                        "database unavailable, retrying in %ss (%s)", wait, describe(error)
                    )
                    with contextlib.suppress(*OUTAGE_ERRORS):
                        connections.close_all()
                    time.sleep(wait)
        finally:
            if ticker is not None:
                ticker.stop()
