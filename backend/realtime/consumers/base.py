"""What both sockets share: framing, limits, errors, groups and seq bookkeeping.

The consumer only parses and authorises; every state change is an action
(``conversations.actions``, ``visitors.actions``, ``agents.presence``) run in
one database hop through ``bus.events.run``.

Frames from the client are handled in order by one worker task per
connection, not by Channels' dispatch loop: an agent busy storing its own
replies must still be shown everybody else's at once. Events that arrive
before ``welcome`` wait in a buffer and go out right after it.

Delivery: what a socket sends, in what order, is its ``realtime.delivery.Stream``:
it drops what was sent already, waits briefly for crossing events, fills gaps
from the database (one fill per conversation at a time) and holds a
conversation's events while a page of its history is read. Each event goes out
only if the socket may hear it at that moment (``may_hear``: its site, and a
group the socket is still in).

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
import logging
import weakref
from collections import deque

from autobahn.exception import Disconnected
from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db import DatabaseError, InterfaceError
from redis.exceptions import RedisError

from bus import events, layers, metrics, outage
from bus.db import in_db
from papo.errors import PapoError

from .. import outbound, protocol
from ..delivery import Rows, Stream
from ..limits import TokenBucket, frame_bucket

log = logging.getLogger("papo.realtime")

CLOSE_HELLO_TIMEOUT = 4001
CLOSE_ABUSE = 4008
CLOSE_RESUME = 4012  # reconnect (to any process) and resume: events may have been lost
CLOSE_TRY_AGAIN = 4013  # this socket could not be served (hello failed); reconnect with backoff
CLOSE_TOO_MANY = 4029
CLOSE_TOKEN = 4401
CLOSE_FORBIDDEN = 4403
SHUTDOWN_SECONDS = 5.0  # what a stopping process gives each socket to say goodbye
OUTBOUND_MISMATCH = "frame does not match realtime.outbound:"

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


class PapoConsumer(AsyncWebsocketConsumer):
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
        self._hello_timer: asyncio.TimerHandle | None = None
        # Frames waiting for the worker; the worker lives only while there are some.
        # (An idle socket holds no queue and no task: at 10,000 sockets an
        # ``asyncio.Queue`` and a parked worker each cost ~3 KB per socket.)
        self._inbox: deque[tuple[dict, object]] | None = None
        self._worker: asyncio.Task | None = None

    async def __call__(self, scope, receive, send):
        try:
            return await super().__call__(scope, receive, send)
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

    # --- frames in -------------------------------------------------------------
    async def send_frame(self, frame: dict) -> None:
        await self.send_text(events.dumps(frame))

    async def send_text(self, text: str) -> None:
        """Send unless the socket is gone: a client may close between an event
        arriving and its disconnect being processed. Only that is swallowed: a
        frame the transport refuses otherwise (once, autobahn's size cap on sent
        frames, a ``RuntimeError`` too) must show as the bug it is."""
        if self.closed:
            return
        if settings.PAPO["CHECK_FRAMES"]:
            wrong = outbound.problems(self.endpoint, text)
            if wrong:  # the test suites fail on this line (papo.testing.live)
                log.error("%s %s frame: %s; %s", OUTBOUND_MISMATCH, self.endpoint,
                          "; ".join(wrong), text[:500])
        try:
            await self.send(text_data=text)
        except Disconnected:  # autobahn (under daphne): "Attempt to send on a closed protocol"
            self.closed = True

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.closed:
            return
        if text_data is None:
            metrics.count("bad_frames")
            await self.send_frame(
                PapoError("binary_not_supported", "send JSON text frames").frame())
            return
        # Frames over PAPO_MAX_FRAME_BYTES never get here: papo.serve sets
        # daphne's own cap, which closes the socket with 1009.
        retry_after = self.bucket.take()
        if retry_after is not None:
            metrics.count("limited.frames")
            if self.bucket.abusive:
                metrics.refuse("closed.abuse", "%s kept flooding after rate_limited",
                               self.describe())
                await self.close_with(CLOSE_ABUSE)
                return
            await self.send_frame(PapoError(
                "rate_limited", "too many frames; slow down", retry_after=retry_after
            ).frame(protocol.ref_of_text(text_data)))
            return
        try:
            frame = protocol.parse(text_data, self.schema)
        except PapoError as exc:
            metrics.count("bad_frames")
            await self.send_frame(exc.frame(protocol.ref_of_text(text_data)))
            return
        if self._inbox is None:
            self._inbox = deque()
        self._inbox.append((frame, protocol.ref_of(frame)))
        if self._worker is None:
            self._worker = asyncio.ensure_future(self._work())

    async def _work(self) -> None:
        """Handle this connection's frames one after another, in arrival order,
        until none are left (the next frame starts a new worker)."""
        inbox = self._inbox
        try:
            while inbox and not self.closed:
                frame, ref = inbox.popleft()
                try:
                    await self.handle(frame, ref)
                except Exception:  # handle() answers every error; this is the last resort
                    log.exception("frame not handled for %s", self.describe())
        finally:
            self._worker = None
            if not inbox:
                self._inbox = None

    async def handle(self, frame: dict, ref: object) -> None:
        try:
            kind = frame["type"]
            if not self.ready and kind != "hello":
                raise PapoError("hello_required", "send hello first")
            if self.ready and kind == "hello":
                raise PapoError("invalid", "hello was already received")
            if kind == "hello":
                if frame["v"] not in protocol.SPOKEN:
                    raise PapoError("unsupported_version", "this server speaks protocol "
                                    f"versions {', '.join(map(str, protocol.SPOKEN))}")
                self.version = frame["v"]
            await getattr(self, "on_" + kind)(frame, ref)
        except PapoError as exc:
            if exc.code == "invalid":
                metrics.count("bad_frames")
            await self.send_frame(exc.frame(ref))
            await self.after_error(exc)
        except (DatabaseError, InterfaceError, RedisError) as exc:
            if not outage.failed(exc, "frames answered unavailable", detail=self.describe()):
                log.warning("database error for %s", self.describe(), exc_info=exc)
            await self.send_frame(PapoError(
                "unavailable", "the server could not store this; retry shortly",
                retry_after=2.0).frame(ref))
            await self.after_failure()
        except Exception:
            log.exception("unexpected error for %s", self.describe())
            await self.send_frame(PapoError("server_error", "unexpected server error").frame(ref))
            metrics.count("errors.server")
            await self.after_failure()

    async def after_failure(self) -> None:
        """A hello that failed leaves a socket nobody can use: close it (4013) so the
        client reconnects with backoff, rather than waiting for the hello deadline."""
        if not self.ready:
            await self.close_with(CLOSE_TRY_AGAIN)

    async def after_error(self, exc: PapoError) -> None:
        """Hook: some errors end the connection."""

    def describe(self) -> str:
        return f"{type(self).__name__} {self.scope.get('client')}"

    # --- events out -------------------------------------------------------------
    async def papo_event(self, event: dict) -> None:
        if self.closed or event.get("skip") == self.channel_name:
            return
        await self.stream.deliver(event)

    def may_hear(self, event: dict) -> bool:
        """May this socket hear ``event`` now? Asked as each event goes out."""
        raise NotImplementedError

    async def on_event(self, event: dict) -> None:
        """Hook: react to an event just before it is forwarded."""

    @property
    def pages_forward(self) -> bool:
        """Version 2 clients page forward through a long gap themselves (``after_seq``);
        version 1 clients get it filled live, however long."""
        return self.version >= 2

    def page_read(self, conv: int, rows: list[dict], through: int, more_after: bool) -> None:
        """A page of ``conv`` reaching the newest message (``through``) was read, or,
        with ``more_after``, one that stops at its last row: tell the stream."""
        if more_after and rows:
            if self.pages_forward:
                self.stream.fall_behind(conv, rows[-1]["seq"])
            else:
                self.stream.track(conv, rows[-1]["seq"])
            return
        self.stream.track(conv, max([through, *(m["seq"] for m in rows)]))

    async def _load(self, conv: int, after: int, before: int) -> Rows | None:
        """The stream's gap fill: messages strictly between two seqs, from the database.

        Without the database the later message cannot go out either (the client
        resumes from the highest seq it was sent, so it would never see the
        missing ones): the socket closes (4013) and the client resumes later.
        None also when the socket may no longer see the conversation."""
        try:
            rows = await in_db(self.load_range)(conv, after, before)
        except PapoError:
            return None
        except (DatabaseError, InterfaceError) as exc:
            detail = f"conversation {conv} ({after}..{before}) for {self.describe()}; closing"
            if not outage.failed(exc, "seq gaps not filled", detail=detail):
                log.warning("seq gap on %s", detail, exc_info=exc)
            await self.close_with(CLOSE_TRY_AGAIN)
            return None
        metrics.count("gap.filled")
        log.info("seq gap on conversation %s (%s..%s) filled from the database for %s", conv,
                 after, before, self.describe())
        return [(m["seq"], events.dumps({"type": "message", "message": m})) for m in rows]

    def load_range(self, conv: int, after: int, before: int) -> list[dict]:
        """Messages of ``conv`` strictly between two seqs that this socket may see."""
        raise NotImplementedError

    async def on_ping(self, frame: dict, ref: object) -> None:
        await self.send_frame({"type": "pong", "ref": ref})

