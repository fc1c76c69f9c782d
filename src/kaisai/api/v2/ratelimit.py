"""Per-key rate limit of the connpass-compatible API (connpass: 1 request per second per key).

`settings.KAISAI_API_V2_RATE` is "N/PERIOD": N requests per PERIOD, where PERIOD is `s`, `m`,
`h` or `d`, optionally with a number (`10/5s`, `60/m`); `0`, `off` or an empty value switch the
limit off. Counting uses fixed windows, one counter per key and window, kept where every worker
of every app server sees it:

- in Django's cache when it is shared (Redis with `REDIS_URL`, or Memcached): created with `add`
  and raised with `incr`, both atomic there;
- otherwise (the default in-memory cache belongs to one process, so two workers would each
  allow the full rate) in the database: one row per key (`kaisai.api.RateCounter`), raised or
  restarted by a single INSERT … ON CONFLICT DO UPDATE … RETURNING (PostgreSQL and SQLite).
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from kaisai.core import counters

_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])[a-z]*\s*$", re.IGNORECASE)
KEY_PREFIX = "kaisai:api-v2:rate"
# Cache backends whose counters every process sees, with an atomic `incr`.


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


def cache_is_shared() -> bool:
    return counters.cache_is_shared(str(settings.CACHES["default"]["BACKEND"]))


def _count_in_cache(key_id: str, rate: Rate, window: int) -> int:
    counter = f"{KEY_PREFIX}:{key_id}:{rate.seconds}:{window}"
    return counters.bump(counter, timeout=rate.seconds + 1)


# One statement, atomic on its own (no transaction needed): the key's row is created, raised
# in its window, or restarted at 1 in a later window (a request stamped with an earlier window,
# from a server whose clock lags, counts in the row's window). "key" and "window" are keywords,
# hence quoted; the same text runs on PostgreSQL and SQLite (≥ 3.35).
_COUNT_SQL = """
INSERT INTO api_ratecounter ("key", "seconds", "window", "used") VALUES (%s, %s, %s, 1)
ON CONFLICT ("key", "seconds") DO UPDATE SET
  "used" = CASE WHEN api_ratecounter."window" < excluded."window"
           THEN 1 ELSE api_ratecounter."used" + 1 END,
  "window" = CASE WHEN api_ratecounter."window" < excluded."window"
             THEN excluded."window" ELSE api_ratecounter."window" END
RETURNING "used"
"""


def _count_in_database(key_id: str, rate: Rate, window: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(_COUNT_SQL, [key_id, rate.seconds, window])
        return int(cursor.fetchone()[0])


def hit(key_id: str) -> int | None:
    """Count one request of a key. None: allowed; a number: refused, retry after that many
    seconds."""
    rate = parse_rate(getattr(settings, "KAISAI_API_V2_RATE", "1/s"))
    if rate is None:
        return None
    moment = now()
    window = int(moment // rate.seconds)
    if cache_is_shared():
        used = _count_in_cache(key_id, rate, window)
    else:
        used = _count_in_database(key_id, rate, window)
    if used <= rate.requests:
        return None
    return max(1, math.ceil((window + 1) * rate.seconds - moment))
