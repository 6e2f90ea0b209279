"""One cache client per process for the socket hot paths.

``django.core.cache.cache`` gives each asyncio context its own cache object;
on the Redis backend that is a connection pool, and a fresh connection, per
WebSocket: 1,500 sockets opened 1,500 Redis connections and paid a connect
on every handshake. The limiter, the refusal counters and the sweep lock use
this shared client instead (same settings, same keys, same data).
"""

from __future__ import annotations

from functools import cache

from django.core.cache import BaseCache, caches


@cache
def shared() -> BaseCache:
    return caches.create_connection("default")
