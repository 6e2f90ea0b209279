"""What both sockets share: a socket's life, its groups, and its faults.

The consumer only parses and authorises; every state change is an action
(``conversations.actions``, ``visitors.actions``, ``agents.presence``) run in
one database hop through ``bus.events.run``.

What a socket does with the frames it receives is ``intake.FrameIntake``; what
it sends, and its ordered stream of events, ``outgoing.Outgoing``; here is
its life: handshake, hello, groups, faults and goodbye.

Faults: a socket whose events may have been lost wholesale is closed with
4012 and its client resumes by seq, from the database: when the channel
layer reconnected to Redis (``bus.layers``) and when the process is
told to stop (SIGTERM; the client reconnects to another process). A hello
that fails (database or Redis unreachable) or a gap fill the database cannot
serve closes the socket with 4013, so the client retries with backoff. With the
core layer, a consumer's own receive fails when Redis does: that socket closes
with 4012 too (upstream, daphne logged a traceback and closed it with 1011).
Each such failure is counted for the outage's report (``bus.outage``): one
line when Redis or the database is lost, one when it is back.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import weakref
from collections import deque

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import DatabaseError, InterfaceError
from redis.exceptions import RedisError

from bus import layers, metrics, outage
from bus.db import in_db
from papo.errors import PapoError

from .. import protocol
from ..delivery import Stream
from ..limits import TokenBucket, frame_bucket
from .codes import CLOSE_HELLO_TIMEOUT, CLOSE_RESUME, CLOSE_TRY_AGAIN, SHUTDOWN_SECONDS
from .dispatching import dispatch_many
from .intake import FrameIntake
from .outgoing import Outgoing

log = logging.getLogger("papo.realtime")



_open: weakref.WeakSet[PapoConsumer] = weakref.WeakSet()
_closing: set[asyncio.Task] = set()


def _resume_everyone() -> None:
    """The channel layer reconnected: what it carried meanwhile is lost, so every
    socket of this process closes (4012) and its client resumes from the database."""
    consumers = [c for c in _open if not c.closed]
    if not consumers:
        return
    metrics.count("closed.layer_reconnect", len(consumers))
    log.info("closing %d sockets with %d so their clients resume after the channel "
             "layer reconnected", len(consumers), CLOSE_RESUME)
    for consumer in consumers:
        task = asyncio.ensure_future(consumer.close_with(CLOSE_RESUME))
        _closing.add(task)
        task.add_done_callback(_closing.discard)


layers.on_reconnect(_resume_everyone)


class PapoConsumer(FrameIntake, Outgoing, AsyncWebsocketConsumer):
    schema: dict[str, dict[str, protocol.Field]] = {}
    endpoint = ""  # "widget" or "console": the frames it sends (realtime.outbound)
    track_all = False  # the stream's rule: every conversation tracked (a widget's own)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.ready = False
        self.closed = False
        self.accepted = False
        self.departed = False  # disconnect() ran
        self.joined: set[str] = set()
        self.version = protocol.VERSION  # what the client's hello asked for
        self.stream = Stream(send=self.send_text, load=self._load, authorise=self.may_hear,
                             observe=self.on_event, track_all=self.track_all)
        self.bucket: TokenBucket = frame_bucket()
        self.check_frames = settings.PAPO["CHECK_FRAMES"]
        self._hello_timer: asyncio.TimerHandle | None = None
        # Frames waiting for the worker; the worker lives only while there are some.
        # (An idle socket holds no queue and no task: at 10,000 sockets an
        # ``asyncio.Queue`` and a parked worker each cost ~3 KB per socket.)
        self._inbox: deque[tuple[dict, object]] | None = None
        self._worker: asyncio.Task | None = None

    async def __call__(self, scope, receive, send):
        try:
            return await self._serve(scope, receive, send)
        except RedisError as exc:
            # The core layer's receive lost Redis (nothing else lets it out): what it
            # carried meanwhile may be lost, so the client resumes, from the database.
            # (A socket turned away already is not counted again. PapoConsumer's
            # describe(): a subclass's may need what connect() sets.)
            outage.REDIS.failed("sockets closed to resume", exc, 0 if self.closed else 1,
                                detail=PapoConsumer.describe(self))
            await self.close_with(CLOSE_RESUME)
            if self.accepted and not self.departed:
                await self._clean_up(CLOSE_RESUME)
            return None
        except asyncio.CancelledError:
            # daphne cancels every instance when its process is stopping (SIGTERM), then
            # drops the TCP connections without a close frame or a disconnect(): say
            # goodbye first...
            if self.accepted and not self.departed:
                await self._goodbye()
            # ...and end normally: daphne waits for the instances it cancelled, but the
            # first one to raise ends that wait for all (asyncio.gather), cutting theirs short.
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()
            return None
        finally:  # daphne may kill the instance without a disconnect()
            if self._worker is not None:
                self._worker.cancel()

    async def _serve(self, scope, receive, send) -> None:
        """Channels' ``AsyncConsumer.__call__``, with ``dispatching.dispatch_many`` in
        place of its ``await_many_dispatch`` (papo.patches pins the original)."""
        self.scope = scope
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        sources = [receive]
        if self.channel_layer is not None:
            self.channel_name = await self.channel_layer.new_channel()
            self.channel_receive = functools.partial(self.channel_layer.receive,
                                                     self.channel_name)
            sources.append(self.channel_receive)
        self.base_send = send
        try:
            await dispatch_many(sources, self.dispatch)
        except StopConsumer:
            pass

    async def dispatch(self, message: dict) -> None:
        """Channels' dispatch, minus its ``aclose_old_connections()`` per message.

        That call is a hop to Django's one sync thread for every frame and every
        group event, so a busy socket's deliveries queued behind everybody's
        hops (measured in docs/performance.md). Papo's consumers never use the
        ORM on the event loop: every database call goes through ``in_db``,
        whose ``DatabaseSyncToAsync`` closes stale connections around its own work.
        """
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"no handler for message type {message['type']}")
        await handler(message)

    # --- lifecycle ------------------------------------------------------------
    async def check_handshake(self, check, *args):
        """``check(*args)`` (a ``realtime.handshake`` verdict) in one database hop.

        With Redis (the limits' counters) or the database out of reach there is no
        verdict: the socket is accepted only to say so, ``unavailable`` with
        ``retry_after``, and closed with 4013, so the client backs off and comes
        back. (Raised, it was an HTTP 500 and a traceback per handshake.) Returns
        None then."""
        try:
            return await in_db(check)(*args)
        except (RedisError, DatabaseError, InterfaceError, OSError) as exc:
            if not outage.failed(exc, "handshakes answered unavailable", detail=self.describe()):
                log.warning("handshake check failed for %s", self.describe(), exc_info=exc)
            await self.turn_away(PapoError(
                "unavailable", "the server cannot take connections right now; retry shortly",
                retry_after=2.0), CLOSE_TRY_AGAIN)
            return None

    async def turn_away(self, error: PapoError, code: int) -> None:
        """Accept only to say why not (an ``error`` frame with ``retry_after``), then
        close with ``code``: a refusal before accept is a bare HTTP 403, which tells a
        client neither to wait nor for how long."""
        await self.accept()
        await self.send_frame(error.frame())
        await self.close_with(code)

    async def accept(self, subprotocol=None, headers=None) -> None:
        await super().accept(subprotocol, headers)
        self.accepted = True
        _open.add(self)

    async def _goodbye(self) -> None:
        """The process is stopping: tell the client to resume elsewhere (4012) and
        clean up as a disconnect would (presence, connection counts), in bounded time."""
        # No group_discard: the process's layer connections close with it (Redis
        # drops their subscriptions; core-layer memberships expire), and thousands
        # of unsubscribes queued on one connection outlasted SHUTDOWN_SECONDS.
        self.joined.clear()
        try:
            async with asyncio.timeout(SHUTDOWN_SECONDS):
                await self.close_with(CLOSE_RESUME)
                await self.disconnect(CLOSE_RESUME)
        except Exception as exc:
            if not outage.failed(exc, "disconnects not cleaned up", detail=self.describe()):
                log.warning("cleanup at shutdown failed for %s", self.describe(), exc_info=exc)

    def start_hello_deadline(self) -> None:
        loop = asyncio.get_running_loop()
        self._hello_timer = loop.call_later(
            settings.PAPO["HELLO_TIMEOUT"],
            lambda: asyncio.ensure_future(self._hello_expired()),
        )

    async def _hello_expired(self) -> None:
        if not self.ready and not self.closed:
            metrics.count("closed.hello_timeout")
            await self.send_frame(PapoError("hello_required", "no hello in time").frame())
            await self.close_with(CLOSE_HELLO_TIMEOUT)

    async def mark_ready(self) -> None:
        """Hello is done: from now on events flow, starting with those that waited."""
        self.ready = True
        if self._hello_timer is not None:
            self._hello_timer.cancel()
            self._hello_timer = None
        await self.stream.start()

    async def close_with(self, code: int) -> None:
        if not self.closed:
            self.closed = True
            self.stream.close()
            await self.close(code=code)

    async def websocket_disconnect(self, message: dict) -> None:
        """Channels' own, minus its loop over ``groups`` (unused: ``disconnect()``
        leaves ``joined``) and its hop to close the sync thread's connections (unused
        too: see ``dispatch``), with an outage's failures counted, not raised."""
        await self._clean_up(message["code"])
        raise StopConsumer

    async def _clean_up(self, code: int) -> None:
        """``disconnect()``, with Redis or the database out of reach: what it could not
        undo (presence, counts) expires by its TTL; counted, not a traceback per socket."""
        try:
            await self.disconnect(code)
        except Exception as exc:
            if not outage.failed(exc, "disconnects not cleaned up", detail=self.describe()):
                raise

    async def disconnect(self, code: int) -> None:
        self.closed = True
        self.departed = True
        self.stream.close()
        _open.discard(self)
        if self._hello_timer is not None:
            self._hello_timer.cancel()
        if self._worker is not None:
            self._worker.cancel()
        for group in list(self.joined):
            await self.leave(group)

    # --- groups --------------------------------------------------------------
    async def join(self, group: str) -> None:
        # Not once disconnect() has left every group: a frame or event still being
        # handled then (a console's open runs beside its other frames) would leave
        # the channel in a group for good.
        if group not in self.joined and not self.departed:
            self.joined.add(group)
            await self.channel_layer.group_add(group, self.channel_name)

    async def leave(self, group: str) -> None:
        if group in self.joined:
            self.joined.discard(group)
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception as exc:  # the layer being down must not break a disconnect
                if not outage.failed(exc, "groups not left", detail=f"{group} by "
                                     f"{self.describe()}"):
                    log.warning("group_discard %s failed", group, exc_info=exc)

    def describe(self) -> str:
        return f"{type(self).__name__} {self.scope.get('client')}"

    async def on_ping(self, frame: dict, ref: object) -> None:
        await self.send_frame({"type": "pong", "ref": ref})

