"""Per-key rate limit of the connpass-compatible API (connpass: 1 request per second per key).

`settings.KAISAI_API_V2_RATE` is "N/PERIOD": N requests per PERIOD, where PERIOD is `s`, `m`,
`h` or `d`, optionally with a number (`10/5s`, `60/m`); `0`, `off` or an empty value switch the
limit off. Counting uses fixed windows in Django's cache: one counter per key and window,
created with `add` and raised with `incr` (both atomic on Redis, so the limit holds across app
servers when `REDIS_URL` is set; with the default in-memory cache it holds per process).
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])[a-z]*\s*$", re.IGNORECASE)
KEY_PREFIX = "kaisai:api-v2:rate"


@dataclass(frozen=True)
class Rate:
    requests: int
    seconds: int


@lru_cache(maxsize=8)
def parse_rate(value: str) -> Rate | None:
    """Read a rate: "1/s" → Rate(1, 1), "60/m" → Rate(60, 60), "10/5s" → Rate(10, 5);
    "0", "off" or "" → None (no limit)."""
    text = (value or "").strip().lower()
    if text in ("", "0", "off", "none"):
        return None
    match = _RATE.match(text)
    if match is None:
        raise ImproperlyConfigured(
            f"KAISAI_API_V2_RATE={value!r}: use N/PERIOD, e.g. 1/s, 60/m, 10/5s, or off."
        )
    requests, multiple, unit = match.groups()
    seconds = (int(multiple) if multiple else 1) * _UNIT_SECONDS[unit[0]]
    if int(requests) == 0:
        return None
    return Rate(int(requests), max(seconds, 1))


def now() -> float:
    """The clock (a function of its own so that tests can stop it)."""
    return time.time()


def hit(key_id: str) -> int | None:
    """Count one request of a key. None: allowed; a number: refused, retry after that many
    seconds."""
    rate = parse_rate(getattr(settings, "KAISAI_API_V2_RATE", "1/s"))
    if rate is None:
        return None
    moment = now()
    window = int(moment // rate.seconds)
    counter = f"{KEY_PREFIX}:{key_id}:{rate.seconds}:{window}"
    cache.add(counter, 0, timeout=rate.seconds + 1)
    try:
        used = cache.incr(counter)
    except ValueError:  # expired between add and incr
        cache.add(counter, 1, timeout=rate.seconds + 1)
        used = 1
    if used <= rate.requests:
        return None
    return max(1, math.ceil((window + 1) * rate.seconds - moment))
