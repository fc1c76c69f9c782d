"""Redis going away: the cache answers from the process's memory, rate limits keep limiting,
and Redis is used again once it is back (a real redis-server on a loopback port)."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest

from kaisai.core import cache as cache_module
from kaisai.core.cache import ResilientRedisCache
from tests.live.conftest import free_port

REDIS_SERVER = shutil.which("redis-server")
pytestmark = pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")


def start_redis(port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    client = ResilientRedisCache(f"redis://127.0.0.1:{port}/0", {})
    for _ in range(100):
        try:
            client._cache.get_client().ping()
            return process
        except Exception:
            time.sleep(0.05)
    raise RuntimeError("redis-server did not start")


def limited(cache, who: str, limit: int) -> bool:
    """checkin/ratelimit.py's counting, on the given cache."""
    key = f"kaisai:ratelimit:test:{who}"
    cache.add(key, 0, timeout=120)
    return cache.incr(key) > limit


def test_redis_stopped_pages_keep_working_and_limits_keep_limiting(monkeypatch, caplog):
    monkeypatch.setattr(cache_module, "RETRY_SECONDS", 0.2)
    port = free_port()
    redis = start_redis(port)
    cache = ResilientRedisCache(
        f"redis://127.0.0.1:{port}/0",
        {"OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}},
    )
    try:
        cache.set("shared", "in redis", 60)
        assert cache.get("shared") == "in redis" and not cache.redis_down
        redis.terminate()
        redis.wait(timeout=10)

        # Down: no exception, an answer from this process's memory.
        assert cache.get("shared") is None
        assert cache.redis_down
        cache.set("local", 1, 60)
        assert cache.get("local") == 1
        # A limit of 5 failures still refuses the 6th: it never opens up.
        assert [limited(cache, "attacker", 5) for _ in range(7)] == [False] * 5 + [True] * 2
        # Django makes a cache object per thread: they share the fallback and the outage.
        other_thread = ResilientRedisCache(f"redis://127.0.0.1:{port}/0", {})
        assert other_thread.get("local") == 1 and other_thread.redis_down
        assert limited(other_thread, "attacker", 5)
        assert sum("redis unavailable" in r.getMessage() for r in caplog.records) == 1

        redis = start_redis(port)
        time.sleep(0.3)
        assert cache.get("shared") is None  # a fresh Redis (it keeps nothing on disk)
        cache.set("shared", "again", 60)
        assert not cache.redis_down
        assert cache._cache.get_client().get(cache.make_and_validate_key("shared")) is not None
    finally:
        redis.terminate()
        redis.wait(timeout=10)


def test_kaisais_redis_cache_counts_as_shared():
    """API v2 keeps its rate counter in the cache only when all app servers share it."""
    from kaisai.core.counters import cache_is_shared

    assert cache_is_shared("kaisai.core.cache.ResilientRedisCache")
    assert cache_is_shared("django.core.cache.backends.redis.RedisCache")
    assert not cache_is_shared("django.core.cache.backends.locmem.LocMemCache")
