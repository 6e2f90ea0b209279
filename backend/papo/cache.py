"""One cache client per process for the socket hot paths.

``django.core.cache.cache`` gives each asyncio context its own cache object;
on the Redis backend that is a connection pool, and a fresh connection, per
WebSocket: 1,500 sockets opened 1,500 Redis connections and paid a connect
on every handshake. The limiter, the refusal counters and the sweep lock use
this shared client instead (same settings, same keys, same data).

On Redis, Django also builds a new ``redis.Redis`` object for every cache
call. Since redis-py 5 that object copies its ~170 response callbacks into a
new dictionary as it is made: about 100 µs of CPU, a third of what counting one
visitor frame cost (docs/performance.md). :class:`RedisCache` makes one per
connection pool and reuses it; a ``redis.Redis`` is safe to share between
threads (each command borrows a connection from the pool).
"""

from __future__ import annotations

from functools import cache

from django.core.cache import BaseCache, caches
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _OneClientPerPool(RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    """Django's Redis cache, with one ``redis.Redis`` per pool instead of one per call."""

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = _OneClientPerPool


@cache
def shared() -> BaseCache:
    return caches.create_connection("default")
