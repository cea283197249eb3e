"""A Redis cache that keeps the site up while Redis is down.

The cache holds nothing that must survive (API throttling counters, failed-login counters), so
when Redis cannot be reached each process falls back to its own memory cache for a short
while instead of failing the request. Throttling then counts per process until Redis returns,
which is logged once per outage.
"""

from __future__ import annotations

import logging
import time

import redis.exceptions
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

OUTAGE_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)
# After a failure, Redis is not tried again for this many seconds (no connect per request).
RETRY_AFTER_SECONDS = 5.0


class ReusingRedisCacheClient(RedisCacheClient):
    """Django builds a new ``redis.Redis`` object (and its table of ~170 response callbacks)
    for every cache call; a client is safe to share, so keep one per connection pool."""

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(index)
        if client is None:
            client = clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
        self._fallback = LocMemCache(
            f"governance-fallback-{id(self)}", {"TIMEOUT": params.get("TIMEOUT", 300)}
        )
        self._down_until = 0.0

    def _call(self, name: str, *args, **kwargs):
        if time.monotonic() >= self._down_until:
            try:
                return getattr(super(), name)(*args, **kwargs)
            except OUTAGE_ERRORS as exc:
                if self._down_until == 0.0:
                    logger.warning("cache unreachable, using a per-process memory cache: %s", exc)
                self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
        return getattr(self._fallback, name)(*args, **kwargs)


def _with_fallback(name: str):
    def method(self, *args, **kwargs):
        return self._call(name, *args, **kwargs)

    method.__name__ = name
    return method


# Every cache operation goes to Redis, or to the process's memory while Redis is down.
for _name in (
    "add", "get", "set", "touch", "delete", "get_many", "has_key", "incr", "set_many",
    "delete_many", "clear",
):  # fmt: skip
    setattr(ResilientRedisCache, _name, _with_fallback(_name))


def count_hit(key: str, previous_key: str, timeout: int) -> tuple[int, int]:
    """Add one to the counter ``key`` (created with ``timeout`` seconds to live) and return it
    with the value of ``previous_key`` (0 when absent). On Redis: one round trip (INCR, EXPIRE
    and GET in a pipeline); elsewhere, or while Redis is down, through the cache's own calls."""
    cache = caches["default"]
    if isinstance(cache, ResilientRedisCache) and time.monotonic() >= cache._down_until:
        try:
            client = cache._cache.get_client(write=True)
            pipe = client.pipeline(transaction=False)
            full = cache.make_and_validate_key(key)
            pipe.incr(full)
            pipe.expire(full, timeout)
            pipe.get(cache.make_and_validate_key(previous_key))
            count, _, previous = pipe.execute()
            return int(count), int(previous or 0)
        except OUTAGE_ERRORS as exc:
            if cache._down_until == 0.0:
                logger.warning("cache unreachable, using a per-process memory cache: %s", exc)
            cache._down_until = time.monotonic() + RETRY_AFTER_SECONDS
    cache.add(key, 0, timeout)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout)
        count = 1
    return count, int(cache.get(previous_key) or 0)
