"""Periodic jobs the worker runs beside its task queue: lottery draws that are due (also the
ones missed while no worker ran) and mail whose retry time has come.

The jobs are named in `settings.KAISAI_PERIODIC_JOBS`; each is idempotent and safe to run on
several workers at once (they lock what they change), so every worker runs the ticker.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


def tick() -> dict[str, int]:
    """Run every periodic job once; returns what each did."""
    done: dict[str, int] = {}
    for path in settings.KAISAI_PERIODIC_JOBS:
        try:
            done[path] = int(import_string(path)() or 0)
        except Exception:
            logger.exception("periodic job %s failed", path)
            done[path] = -1
    return done


class Ticker(threading.Thread):
    """Runs `tick()` at start (catching up) and then every `interval` seconds."""

    def __init__(self, interval: float) -> None:
        super().__init__(name="kaisai-ticker", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            close_old_connections()
            done = tick()
            if any(done.values()):
                logger.info("ticker: %s", done)
            connection.close()
            self.stopped.wait(self.interval)

    def stop(self) -> None:
        self.stopped.set()
