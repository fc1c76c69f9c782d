"""Run the same work in several threads at once, each on its own database connection (for
tests of what two workers or two requests do when they meet)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import connections

T = TypeVar("T")


def at_once(work: Callable[[], T], times: int = 2) -> list[T]:
    """`work()` in `times` threads released together; their results in finishing order.
    Each thread closes its database connections when done."""
    start = threading.Barrier(times)
    results: list[T] = []

    def worker() -> None:
        try:
            start.wait()
            results.append(work())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
