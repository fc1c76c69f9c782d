"""Periodic jobs the worker runs beside its task queue: lottery draws that are due (also the
ones missed while no worker ran) and mail whose retry time has come.

The jobs and their intervals in seconds are `settings.KAISAI_PERIODIC_JOBS`; each is
idempotent and safe to run on several workers at once (they lock what they change), so every
worker runs the ticker.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils.module_loading import import_string

from kaisai.core import heartbeat
from kaisai.core.unavailable import OUTAGE_ERRORS, describe

logger = logging.getLogger(__name__)


def tick(paths: list[str] | None = None) -> dict[str, int]:
    """Run the periodic jobs (all, or those named) once; returns what each did."""
    done: dict[str, int] = {}
    for path in settings.KAISAI_PERIODIC_JOBS if paths is None else paths:
        try:
            done[path] = int(import_string(path)() or 0)
        except OUTAGE_ERRORS as error:
            # The database is away (restart, failover): one line, the next tick tries again.
            logger.warning("periodic job %s: database unavailable (%s)", path, describe(error))
            done[path] = -1
        except Exception:
            logger.exception("periodic job %s failed", path)
            done[path] = -1
    return done


class Ticker(threading.Thread):
    """Runs every job at start (catching up), then each at its own interval."""

    def __init__(self, jobs: dict[str, float] | None = None) -> None:
        super().__init__(name="kaisai-ticker", daemon=True)
        self.jobs = dict(jobs or settings.KAISAI_PERIODIC_JOBS)
        self.stopped = threading.Event()

    def run(self) -> None:
        next_run = {path: 0.0 for path in self.jobs}
        next_beat = 0.0
        while not self.stopped.is_set():
            now = time.monotonic()
            due = [path for path, when in next_run.items() if when <= now]
            with contextlib.suppress(*OUTAGE_ERRORS):  # the jobs below report the outage
                close_old_connections()
            if now >= next_beat:
                next_beat = now + heartbeat.BEAT_SECONDS
                try:
                    heartbeat.beat()
                except OUTAGE_ERRORS as error:
                    logger.warning("worker heartbeat: database unavailable (%s)", describe(error))
                except Exception:
                    logger.exception("worker heartbeat failed")
            done = tick(due)
            with contextlib.suppress(*OUTAGE_ERRORS):
                connection.close()
            if any(done.values()):
                logger.info("ticker: %s", done)
            for path in due:
                next_run[path] = now + self.jobs[path]
            wake = min(min(next_run.values()), next_beat)
            self.stopped.wait(max(wake - time.monotonic(), 0.1))

    def stop(self) -> None:
        self.stopped.set()
