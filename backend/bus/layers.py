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

Reconnects: Redis pub/sub keeps nothing for a subscriber that is away, so
while the pub/sub connection is down (Redis restarted, a network cut) every
event published to this process is lost, including group subscriptions made
on a Redis that restarted empty. redis-py re-subscribes by itself when it
reconnects; :func:`on_reconnect` listeners then hear of it, and the consumers
close their sockets (4012; autobahn refuses 1012) so clients resume from the
database by seq. The outage itself is reported once, lost and back
(``bus.outage``): the receive loop is one of the paths that notice both.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import deque
from collections.abc import Callable
from copy import deepcopy

from channels.layers import InMemoryChannelLayer
from channels_redis import pubsub
from channels_redis.core import RedisChannelLayer
from channels_redis.utils import _wrap_close
from django.conf import settings
from redis.asyncio import BlockingConnectionPool
from redis.asyncio.client import PubSub

from . import outage

log = logging.getLogger("papo.realtime")

_listeners: list[Callable[[], None]] = []


def on_reconnect(listener: Callable[[], None]) -> None:
    """Call ``listener()`` (on the event loop) after the pub/sub connection came back."""
    if listener not in _listeners:
        _listeners.append(listener)


def _reconnected() -> None:
    outage.REDIS.ok()
    log.info("channel layer: pub/sub connection to Redis re-established; "
             "events published while it was down are lost")
    for listener in list(_listeners):
        try:
            listener()
        except Exception:
            log.exception("reconnect listener %r failed", listener)


def create_blocking_pool(host: dict) -> BlockingConnectionPool:
    options = dict(host)
    address = options.pop("address")
    options.setdefault("max_connections", settings.PAPO["REDIS_POOL_SIZE"])
    options.setdefault("timeout", settings.PAPO["REDIS_POOL_TIMEOUT"])
    return BlockingConnectionPool.from_url(address, **options)


pubsub.create_pool = create_blocking_pool


class _WatchedPubSub(PubSub):
    """A PubSub that reports its reconnects (its first connect is made by the pool,
    before this callback is registered, so every call here is a reconnect)."""

    async def on_connect(self, connection) -> None:
        had_subscriptions = bool(self.channels or self.patterns)
        await super().on_connect(connection)
        if had_subscriptions:
            _reconnected()


class _Shard(pubsub.RedisSingleShardConnection):
    async def publish(self, channel: str, message: bytes) -> None:
        """Publish without channels-redis' per-shard lock.

        That lock guards the pub/sub connection's subscriptions, but upstream also
        takes it for every publish, so all of a process's publishes (and its
        subscribes) waited for each other's Redis round trips, one at a time.
        PUBLISH goes over the connection pool and needs no such ordering; at
        400 msg/s the wait for the lock was most of the delivery time
        (docs/performance.md).
        """
        await self._client().publish(channel, message)

    async def publish_many(self, items: list[tuple[str, bytes]]) -> None:
        """Several PUBLISHes in one round trip, in order (a non-transactional pipeline)."""
        pipe = self._client().pipeline(transaction=False)
        for channel, message in items:
            pipe.publish(channel, message)
        await pipe.execute()

    def _client(self):
        self._ensure_redis()  # synchronous: no await between the check and the use
        return self._redis

    def _ensure_redis(self) -> None:
        if self._redis is None:
            super()._ensure_redis()
            self._pubsub = _WatchedPubSub(self._redis.connection_pool)

    async def _do_receiving(self) -> None:
        """channels-redis' receive loop, reporting an outage (``bus.outage``) instead
        of a traceback a second; redis-py reconnects on the next read. Each read that
        works (a message, or none within 0.1 s) tells the outage Redis answers."""
        while True:
            try:
                if self._pubsub and self._pubsub.subscribed:
                    message = await self._pubsub.get_message(
                        ignore_subscribe_messages=True, timeout=0.1)
                    outage.REDIS.ok()
                    self._receive_message(message)
                else:
                    await asyncio.sleep(0.1)
            except (asyncio.CancelledError, TimeoutError, GeneratorExit):
                raise
            except Exception as exc:
                if not outage.failed(exc, "pub/sub reads", 0):
                    log.warning("channel layer: pub/sub read failed; retrying", exc_info=exc)
                await asyncio.sleep(0.5)


class _Inbox:
    """A consumer channel's queue: what ``asyncio.Queue`` does for one reader, in
    a deque and a future. (A Queue is four deques and an Event, ~3 KB, and
    there is one per socket.)"""

    __slots__ = ("items", "waiter")

    def __init__(self) -> None:
        self.items: deque[bytes] = deque()
        self.waiter: asyncio.Future | None = None

    def put_nowait(self, item: bytes) -> None:
        self.items.append(item)
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    async def get(self) -> bytes:
        while not self.items:
            self.waiter = asyncio.get_running_loop().create_future()
            try:
                await self.waiter
            finally:
                self.waiter = None
        return self.items.popleft()


class _LoopLayer(pubsub.RedisPubSubLoopLayer):
    """Consumer channels live in their process only.

    Upstream SUBSCRIBEs every consumer's own channel in Redis (and UNSUBSCRIBEs
    it on the way out), so that ``send(channel)`` reaches it from any process.
    Papo never sends to one consumer's channel, only to groups (whose
    subscriptions are unchanged): those were two Redis commands under the
    shard lock for every socket, and a subscription Redis held for each. A
    ``send`` to a channel of this process is delivered; to any other it is an
    error, not a message that silently goes nowhere.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._shards = [_Shard(shard.host, self) for shard in self._shards]

    async def new_channel(self, prefix: str = "specific.") -> str:
        channel = f"{self.prefix}{prefix}{uuid.uuid4().hex}"
        self.channels[channel] = _Inbox()
        return channel

    async def receive(self, channel: str) -> dict:
        inbox = self.channels.get(channel)
        if inbox is None:
            inbox = self.channels[channel] = _Inbox()
        try:
            message = await inbox.get()
        except (asyncio.CancelledError, TimeoutError, GeneratorExit):
            # the consumer is leaving (channels has no delete_channel())
            self.channels.pop(channel, None)
            raise
        return self.channel_layer.deserialize(message)

    async def send(self, channel: str, message: dict) -> None:
        inbox = self.channels.get(channel)
        if inbox is None:
            raise ValueError(f"channel {channel!r} is not in this process; "
                             "Papo's layer delivers across processes by group only")
        inbox.put_nowait(self.channel_layer.serialize(message))

    async def group_send_many(self, sends: list[tuple[str, dict]]) -> None:
        """``group_send`` for each ``(group, message)``: one round trip per shard."""
        by_shard: dict[_Shard, list[tuple[str, bytes]]] = {}
        for group, message in sends:
            channel = self._get_group_channel_name(group)
            by_shard.setdefault(self._get_shard(channel), []).append(
                (channel, self.channel_layer.serialize(message)))
        for shard, items in by_shard.items():
            await shard.publish_many(items)


class PubSubChannelLayer(pubsub.RedisPubSubChannelLayer):
    """RedisPubSubChannelLayer with the blocking pool, reporting reconnects."""

    def _get_layer(self) -> _LoopLayer:
        loop = asyncio.get_running_loop()
        layer = self._layers.get(loop)
        if layer is None:
            layer = self._layers[loop] = _LoopLayer(*self._args, **self._kwargs,
                                                    channel_layer=self)
            _wrap_close(self, loop)
        return layer

    async def group_send_many(self, sends: list[tuple[str, dict]]) -> None:
        await self._get_layer().group_send_many(sends)


class CoreChannelLayer(RedisChannelLayer):
    """RedisChannelLayer with the blocking pool, and reads that outlast its blocking pop.

    The layer's ``receive`` waits in ``BZPOPMIN`` for ``brpop_timeout`` (5 s) at a
    time. redis-py 8 gives every connection a 5 s read timeout by default, which
    fires as Redis answers "nothing yet": every consumer idle for 5 s crashed
    with ``TimeoutError`` and daphne closed its socket with 1011. Reads now wait
    ``READ_MARGIN`` longer than the pop (a Redis that died is still noticed).
    """

    READ_MARGIN = 5.0  # seconds

    def create_pool(self, index: int) -> BlockingConnectionPool:
        host = {"socket_timeout": self.brpop_timeout + self.READ_MARGIN, **self.hosts[index]}
        return create_blocking_pool(host)

    async def receive(self, channel: str) -> dict:
        """Upstream's; a message received tells an outage Redis is back. (When Redis
        is lost, this raises out of the consumer, which closes its socket with 4012:
        ``realtime.consumers.base``.)"""
        message = await super().receive(channel)
        outage.REDIS.ok()
        return message


class InMemoryLayer(InMemoryChannelLayer):
    """Channels' in-memory layer (the embedded default), with its sweep throttled.

    ``InMemoryChannelLayer`` walks every channel and every group membership
    looking for expired messages on *each* ``receive`` and ``group_send``: with a
    thousand sockets that is a thousand-entry scan per delivered event, and it
    was the embedded server's largest cost under load (docs/performance.md).
    Expiry is measured in tens of seconds, so sweeping once a second changes
    nothing a client can see.
    """

    SWEEP_EVERY = 1.0  # seconds
    _swept_at = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._swept_at >= self.SWEEP_EVERY:
            self._swept_at = now
            super()._clean_expired()

    async def receive(self, channel: str) -> dict:
        """The next message on ``channel``, from one queue kept while it is received from.

        Channels' version builds a new ``asyncio.Queue`` on every call (the default
        argument of its ``setdefault``) and drops the channel's queue whenever it
        empties, so the next message builds another: one or two queues per event per
        socket, while a consumer always has a receive waiting. Here the queue is made
        only when the channel has none, and forgotten when its receiver leaves (the
        consumer's receive is cancelled as it ends) with nothing queued; one that
        still holds messages is swept when they expire, as before.
        """
        self.require_valid_channel_name(channel)
        self._clean_expired()
        queue = self.channels.get(channel)
        if queue is None:
            queue = self.channels[channel] = asyncio.Queue(maxsize=self.get_capacity(channel))
        try:
            _, message = await queue.get()
        except BaseException:
            if queue.empty() and self.channels.get(channel) is queue:
                del self.channels[channel]
            raise
        return message

    async def group_send(self, group: str, message: dict) -> None:
        """Queue ``message`` for each member at once, each its own copy.

        Channels' version starts a task per member, each doing ``send()`` with a
        ``deepcopy``, and waits for them all with ``as_completed``: for an event
        (``bus.events.event``: a dict of strings and numbers) that is a task, a
        recursive copy and a wake-up per recipient. Here the members' queues are
        filled in one pass, and a flat message is copied with ``dict()``, which
        for immutable values is what ``deepcopy`` makes. A full queue drops the
        message for that member only, as Channels' version does.
        """
        assert isinstance(message, dict), "Message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        members = self.groups.get(group)
        if not members:
            return
        flat = all(type(value) in _IMMUTABLE for value in message.values())
        expires = time.time() + self.expiry
        for channel in list(members):
            queue = self.channels.get(channel)
            if queue is None:
                queue = self.channels[channel] = asyncio.Queue(
                    maxsize=self.get_capacity(channel))
            try:
                queue.put_nowait((expires, dict(message) if flat else deepcopy(message)))
            except asyncio.QueueFull:
                pass


_IMMUTABLE = frozenset({str, int, float, bool, bytes, type(None)})
