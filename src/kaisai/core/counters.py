"""A counter in Django's cache (Redis when several app servers share it): the one primitive
behind kaisai's fixed-window rate limits (sign-in, check-in and ticket lookups, reception
scans, API v2 keys)."""

from __future__ import annotations

from django.core.cache import cache
from django.core.cache.backends.memcached import BaseMemcachedCache
from django.core.cache.backends.redis import RedisCache
from django.utils.module_loading import import_string


def bump(key: str, timeout: int) -> int:
    """Add one to the counter `key` (created for `timeout` seconds) and return its value."""
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1


def cache_is_shared(backend: str) -> bool:
    """Whether every app server sees the same counters (Redis, Memcached, and kaisai's
    Redis cache with its fallback, core/cache.py), rather than one process's memory."""
    return issubclass(import_string(backend), (RedisCache, BaseMemcachedCache))
