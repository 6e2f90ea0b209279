"""papo.cache.RedisCache: Django's Redis cache, one redis client per pool."""

from __future__ import annotations

import threading
import uuid

from papo.cache import RedisCache
from papo.testing.live import require_services
from papo.testing.server import REDIS_URL


def test_one_client_per_pool_serves_every_call_and_thread():
    require_services()
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": "t" + uuid.uuid4().hex[:8], "OPTIONS": {
        "pool_class": "redis.BlockingConnectionPool", "max_connections": 4}})
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=True) is client  # Django makes a new one per call

    # shared by threads: every increment lands, each on a connection of the pool
    cache.set("n", 0)

    def bump() -> None:
        for _ in range(50):
            cache.incr("n")

    threads = [threading.Thread(target=bump) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert cache.get("n") == 400
    assert client.connection_pool.max_connections == 4
    cache.delete("n")
