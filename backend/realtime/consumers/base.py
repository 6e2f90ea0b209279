"""What both sockets share: framing, limits, errors, groups and seq bookkeeping.

The consumer only parses and authorises; every state change is an action
(``conversations.actions``, ``visitors.actions``, ``agents.presence``) run in
one database hop through ``bus.events.run``.

Frames from the client are handled in order by one worker task per
connection, not by Channels' dispatch loop: an agent busy storing its own
replies must still be shown everybody else's at once. Events that arrive
before ``welcome`` wait in a buffer and go out right after it.

Delivery: a consumer remembers the highest seq it sent per conversation. A
live message at or below it was already sent (say, in a replay) and is
dropped; one that skips ahead waits ``GAP_WAIT`` for the missing ones (two
processes' events can cross on the way), and what is still missing then was
lost by the channel layer: it is read from the database and sent first.

Faults: a socket whose events may have been lost wholesale is closed with
4012 and its client resumes by seq, from the database: when the channel
layer reconnected to Redis (``bus.layers``) and when the process is
told to stop (SIGTERM; the client reconnects to another process). A hello
that fails (database or Redis unreachable) or a gap fill the database cannot
serve closes the socket with 4013, so the client retries with backoff.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections import deque

from autobahn.exception import Disconnected
from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db import DatabaseError, InterfaceError
from redis.exceptions import RedisError

from bus import events, layers, metrics
from bus.db import in_db
from papo.errors import PapoError

from .. import protocol
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
# Two processes publish one conversation's messages in commit order each, but
# they reach a third in any order: a seq that skips ahead waits this long for
# the missing ones before they are read from the database.
GAP_WAIT = 0.05  # seconds

_open: weakref.WeakSet[PapoConsumer] = weakref.WeakSet()
_closing: set[asyncio.Task] = set()


def _resume_everyone() -> None:
    """The channel layer reconnected: what it carried meanwhile is lost, so every
    socket of this process closes (4012) and its client resumes from the database."""
    consumers = [c for c in _open if not c.closed]
    if not consumers:
        return
    metrics.count("closed.layer_reconnect", len(consumers))
    log.warning("closing %d sockets with %d so their clients resume after the channel "
                "layer reconnected", len(consumers), CLOSE_RESUME)
    for consumer in consumers:
        task = asyncio.ensure_future(consumer.close_with(CLOSE_RESUME))
        _closing.add(task)
        task.add_done_callback(_closing.discard)


layers.on_reconnect(_resume_everyone)


class _OncePerInterval:
    """A warning that an outage repeats for every socket: logged once per
    ``every`` seconds, with how many times it happened meanwhile."""

    def __init__(self, every: float) -> None:
        self.every, self.at, self.since = every, float("-inf"), 0

    def note(self, message: str, *args: object) -> None:
        self.since += 1
        now = time.monotonic()
        if now - self.at >= self.every:
            log.warning(message + " (%d times since the last such line)", *args, self.since)
            self.at, self.since = now, 0


_outage_log = _OncePerInterval(5.0)


class PapoConsumer(AsyncWebsocketConsumer):
    schema: dict[str, dict[str, protocol.Field]] = {}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.ready = False
        self.closed = False
        self.accepted = False
        self.departed = False  # disconnect() ran
        self.joined: set[str] = set()
        self.sent_seq: dict[int, int] = {}
        self.bucket: TokenBucket = frame_bucket()
        self._hello_timer: asyncio.TimerHandle | None = None
        # Frames waiting for the worker; the worker lives only while there are some.
        # (An idle socket holds no queue and no task: at 10,000 sockets an
        # ``asyncio.Queue`` and a parked worker each cost ~3 KB per socket.)
        self._inbox: deque[tuple[dict, object]] | None = None
        self._worker: asyncio.Task | None = None
        self._early_events: list[dict] = []
        self._held: dict[int, list[dict]] = {}  # conversation -> events, while history loads
        self._reordering: dict[int, list[dict]] = {}  # conversation -> events, see GAP_WAIT
        self._waits: set[asyncio.Task] = set()

    async def __call__(self, scope, receive, send):
        try:
            return await super().__call__(scope, receive, send)
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
            _outage_log.note("handshake check failed (%r); answering unavailable", exc)
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
        except Exception:
            log.warning("cleanup at shutdown failed for %s", self.describe(), exc_info=True)

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
        early, self._early_events = self._early_events, []
        for event in early:
            await self.papo_event(event)

    async def close_with(self, code: int) -> None:
        if not self.closed:
            self.closed = True
            await self.close(code=code)

    async def disconnect(self, code: int) -> None:
        self.closed = True
        self.departed = True
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
            except Exception:  # the layer being down must not break a disconnect
                log.warning("group_discard %s failed", group, exc_info=True)

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
            if kind == "hello" and frame["v"] != protocol.VERSION:
                raise PapoError("unsupported_version",
                                f"this server speaks protocol version {protocol.VERSION}")
            await getattr(self, "on_" + kind)(frame, ref)
        except PapoError as exc:
            if exc.code == "invalid":
                metrics.count("bad_frames")
            await self.send_frame(exc.frame(ref))
            await self.after_error(exc)
        except (DatabaseError, InterfaceError) as exc:
            log.warning("database unavailable for %s: %r", self.describe(), exc)
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
        if not self.ready:
            self._early_events.append(event)
            return
        if event.get("conv") in self._held:
            self._held[event["conv"]].append(event)
            return
        if event.get("conv") in self._reordering:
            self._reordering[event["conv"]].append(event)
            return
        conv, seq = event.get("conv"), event.get("seq")
        if event.get("kind") == "message" and conv is not None and seq is not None:
            sent = self.sent_seq.get(conv)
            if sent is not None:
                if seq <= sent:
                    return
                # ``prev`` (when given) is the previous seq this socket may see: seqs
                # between it and ``seq`` belong to internal notes, not to a lost event.
                prev = event.get("prev")
                if seq > sent + 1 and (prev is None or prev > sent):
                    if not event.get("waited"):
                        self._wait_for_missing(conv, event)
                        return
                    if not await self.fill_gap(conv, sent, seq):
                        return  # closed: the client resumes from what it was sent
            self.sent_seq[conv] = max(seq, self.sent_seq.get(conv, 0))
        await self.on_event(event)
        await self.send_text(event["text"])

    def _wait_for_missing(self, conv: int, event: dict) -> None:
        """Keep ``conv``'s events back for ``GAP_WAIT``; then send them in seq order,
        reading from the database only what still has not arrived."""
        self._reordering[conv] = [event]

        async def replay() -> None:
            await asyncio.sleep(GAP_WAIT)
            waiting, key = self._reordering.pop(conv, []), 0
            keyed = []
            for e in waiting:  # messages by seq; anything else stays after its predecessor
                key = e["seq"] if e.get("kind") == "message" and e.get("seq") else key
                keyed.append((key, e))
            for _, e in sorted(keyed, key=lambda item: item[0]):
                await self.papo_event({**e, "waited": True})

        task = asyncio.ensure_future(replay())
        self._waits.add(task)
        task.add_done_callback(self._waits.discard)

    async def on_event(self, event: dict) -> None:
        """Hook: react to an event before it is forwarded."""

    async def fill_gap(self, conv: int, after: int, before: int) -> bool:
        """The layer dropped messages (after, before): send them from the database.

        Without the database the later message cannot go out either (the client
        resumes from the highest seq it was sent, so it would never see the
        missing ones): the socket closes (4013) and the client resumes later."""
        try:
            rows = await in_db(self.load_range)(conv, after, before)
        except (DatabaseError, InterfaceError) as exc:
            log.warning("seq gap on conversation %s (%s..%s) not filled for %s (%r); closing",
                        conv, after, before, self.describe(), exc)
            await self.close_with(CLOSE_TRY_AGAIN)
            return False
        metrics.count("gap.filled")
        log.info("seq gap on conversation %s (%s..%s) filled from the database for %s", conv,
                 after, before, self.describe())
        for frame in rows:
            await self.send_frame(frame)
        return True

    def load_range(self, conv: int, after: int, before: int) -> list[dict]:
        raise NotImplementedError

    def hold(self, conv: int) -> None:
        """Keep live events of ``conv`` back while its history is read and sent."""
        self._held.setdefault(conv, [])

    async def release(self, conv: int) -> None:
        """Send what was held, minus what the history already showed."""
        for event in self._held.pop(conv, []):
            await self.papo_event(event)

    def note_seen(self, conv: int, seq: int) -> None:
        """This socket has been given everything of ``conv`` up to ``seq``."""
        if seq > self.sent_seq.get(conv, 0):
            self.sent_seq[conv] = seq

    def note_sent(self, messages: list[dict]) -> None:
        for m in messages:
            self.note_seen(m["conversation"], m["seq"])

    async def on_ping(self, frame: dict, ref: object) -> None:
        await self.send_frame({"type": "pong", "ref": ref})

