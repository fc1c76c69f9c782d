"""A small fixed-window rate limit on Django's cache (Redis when several app servers run).

Used where a guess could be worth something: looking up ticket tokens (`/t/<token>/`) and
trying attendance codes. Only failures count, so that people using their own tickets are
never slowed down; once the failures of this window and the one before reach the limit,
every try is refused (a burst across the turn of a window is not forgiven).
"""

from __future__ import annotations

import time

from django.core.cache import cache

from kaisai.core import counters

WINDOW_SECONDS = 60


def _key(scope: str, who: str, back: int = 0) -> str:
    window = int(time.time() // WINDOW_SECONDS) - back
    return f"kaisai:ratelimit:{scope}:{who}:{window}"


def is_limited(scope: str, who: str, limit: int) -> bool:
    """Failures in this window and the one before count together, so a burst that straddles
    a window's end is not forgiven at the turn of the minute."""
    counts = cache.get_many([_key(scope, who), _key(scope, who, back=1)])
    return sum(counts.values()) >= limit


def count_failure(scope: str, who: str) -> int:
    return counters.bump(_key(scope, who), timeout=WINDOW_SECONDS * 2)
