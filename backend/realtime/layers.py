"""channels-redis layers on a *blocking* Redis connection pool.

redis-py's asyncio pool holds at most 100 connections by default and raises
``MaxConnectionsError`` when a 101st is wanted, instead of waiting. At
thousands of sockets that turned handshakes into HTTP 500s and made
``group_discard`` fail by the thousand on a mass disconnect. A blocking pool
waits (up to ``PAPO_REDIS_POOL_TIMEOUT``) for a free connection instead.

channels-redis builds its pools with ``channels_redis.utils.create_pool``;
the core layer lets a subclass override ``create_pool``, the pub/sub layer
only looks the function up in its module, so that module's name is pointed
at ours when this module is imported (settings name these classes, so it is
imported before any layer exists).
"""

from __future__ import annotations

from channels_redis import pubsub
from channels_redis.core import RedisChannelLayer
from django.conf import settings
from redis.asyncio import BlockingConnectionPool


def create_blocking_pool(host: dict) -> BlockingConnectionPool:
    options = dict(host)
    address = options.pop("address")
    options.setdefault("max_connections", settings.PAPO["REDIS_POOL_SIZE"])
    options.setdefault("timeout", settings.PAPO["REDIS_POOL_TIMEOUT"])
    return BlockingConnectionPool.from_url(address, **options)


pubsub.create_pool = create_blocking_pool


class PubSubChannelLayer(pubsub.RedisPubSubChannelLayer):
    """RedisPubSubChannelLayer with the blocking pool."""


class CoreChannelLayer(RedisChannelLayer):
    """RedisChannelLayer with the blocking pool."""

    def create_pool(self, index: int) -> BlockingConnectionPool:
        return create_blocking_pool(self.hosts[index])
