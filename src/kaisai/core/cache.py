"""Django's Redis cache, made to survive Redis going away.

With several app servers, Redis holds what they share: the cache and every rate limit (sign-in,
API v2 keys, check-in scans). Django's `RedisCache` raises when Redis is down, which would turn
every page that touches a limit into a 500. `ResilientRedisCache` answers from a cache in the
process's own memory while Redis cannot be reached, and goes back to Redis by itself:

- pages, registration and sign-in keep working (sessions are in the database, not here);
- rate limits keep limiting — they count per app-server process instead of across all of them,
  so an attacker gets at most (processes ×) the limit during the outage, never an open door;
- one warning line per outage (not per request), and Redis is tried again every few seconds.

Short socket timeouts (`KAISAI_REDIS_TIMEOUT`, default 0.5 s) keep a dead Redis from holding a
request up.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger("kaisai.cache")

RETRY_SECONDS = 5.0


def _redis_errors() -> tuple[type[BaseException], ...]:
    import redis.exceptions

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class _State:
    def __init__(self) -> None:
        self.down_since: float | None = None
        self.retry_at = 0.0
        self.lock = threading.Lock()


_STATES: dict[str, _State] = {}


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        # Django makes one cache object per thread; LocMemCache's storage is per name, so one
        # name gives every thread of this process the same fallback (and the same counts).
        self._fallback = LocMemCache(
            f"kaisai-fallback:{server}", {"OPTIONS": {"MAX_ENTRIES": 10000}}
        )
        # The outage is the process's, not the thread's: one warning, one retry clock.
        self._state = _STATES.setdefault(server, _State())
        self._errors = _redis_errors()

    @property
    def redis_down(self) -> bool:
        return self._state.down_since is not None

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        now = time.monotonic()
        state = self._state
        if state.down_since is None or now >= state.retry_at:
            try:
                result = getattr(super(), name)(*args, **kwargs)
            except self._errors as error:
                with state.lock:
                    if state.down_since is None:
                        state.down_since = now
                        logger.warning("redis unavailable, caching in this process: %s", error)
                    state.retry_at = now + RETRY_SECONDS
            else:
                if state.down_since is not None:
                    with state.lock:
                        if state.down_since is not None:
                            logger.warning(
                                "redis back after %.0f s", time.monotonic() - state.down_since
                            )
                            state.down_since = None
                return result
        return getattr(self._fallback, name)(*args, **kwargs)


def _delegate(name: str) -> Callable[..., Any]:
    def method(self: ResilientRedisCache, *args: Any, **kwargs: Any) -> Any:
        return self._call(name, *args, **kwargs)

    method.__name__ = name
    return method


for _name in (
    "add", "get", "set", "touch", "delete", "get_many", "set_many", "delete_many",
    "has_key", "incr", "decr", "clear",
):  # fmt: skip
    setattr(ResilientRedisCache, _name, _delegate(_name))
