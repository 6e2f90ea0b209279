"""One socket's ordered stream of events: what it sends, in what order, and when it
fills a gap from the database.

The channel layer is at-most-once and two processes' events can cross on the
way, so a socket cannot just forward what it hears. :class:`Stream` holds the
rules, for the widget's and the console's sockets alike, as a plain object
that is given the socket's ``send``, ``load`` (read missing messages) and
``authorise`` (may this socket hear this event now): it is tested without a
socket (``realtime/tests/test_delivery.py``).

Per conversation the stream remembers the highest seq it sent (``sent``):

- a message at or below it was sent already and is dropped;
- the next one (``sent + 1``, or one whose ``prev`` — the previous seq its
  audience may see, a widget skipping internal notes — is at or below it) goes out;
- one that skips ahead waits ``gap_wait`` for the missing ones (events from two
  processes cross), then what is still missing is read from the database and
  sent first. At most one such fill runs per conversation at a time: events of a
  conversation with a gap queue in its *lane*, behind the fill, and everything
  is checked again after every await, so a row read from the database is sent
  only if nothing sent it meanwhile.

A conversation is *tracked* when the socket promised its client a complete
stream of it from some seq on: the widget's own conversations always, a
console's after an ``open`` (or its welcome, or the assignment that made the
chat its agent's: the socket joins the chat's group only as it hears of the
assignment, so what was published before that is read once, after the
assignment goes out; see ``observe``). Messages of other conversations (a
console's queue previews) go out in order too but a gap in them is not filled:
the console reads the history when it opens the chat.

A conversation's state (a ``conversation`` event: created, assigned, tagged …)
carries ``last_seq``, the conversation's newest seq when it was committed. Two
processes publish these, so they can arrive crossed; one older than the newest
this socket sent of that conversation is dropped (a console that acted on a
crossed ``created`` after its ``assigned`` left the chat it had just been given,
and heard nothing more of it).

While a page of history is read (``hold``), that conversation's live events
wait in its lane, and go out after the page minus what the page held. A page
that stops short of the end (``behind``, protocol version 2) leaves the
conversation's live messages to the client's next page instead of filling
thousands of rows unasked.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

GAP_WAIT = 0.05  # seconds: how long a message that skips ahead waits for the missing ones

Event = dict[str, Any]
Rows = list[tuple[int, str]]  # (seq, frame text), oldest first

_SEND, _DROP, _WAIT = "send", "drop", "wait"


class _Lane:
    """A conversation's events waiting behind a gap, a fill or a history read."""

    __slots__ = ("catch_up", "held", "pending", "sorted", "task")

    def __init__(self) -> None:
        self.pending: list[Event] = []
        self.sorted = True  # False when an event was added since the last sort
        self.held = 0
        self.catch_up = False  # read what came after ``sent`` before the pending events
        self.task: asyncio.Task | None = None


class Stream:
    """The ordered stream of events one socket sends.

    ``send(text)`` writes a frame; ``load(conv, after, before)`` reads the
    messages strictly between two seqs (``before`` None: to the newest) that this
    socket may see, oldest first, or returns None when they cannot be read (the
    socket is then closing, or may no longer see that conversation);
    ``authorise(event)`` says whether the socket may hear an event at the moment
    it goes out; ``observe(event)`` runs just before one goes out (a console
    follows assignments) and returns True when the socket has just started to
    follow the event's conversation: what was published before it joined that
    conversation's group is then read once, after the event. ``track_all``: every
    conversation is tracked from seq 0 (a widget: all its conversations are its own).
    """

    __slots__ = ("_early", "_lanes", "authorise", "behind", "closed", "gap_wait", "load",
                 "observe", "send", "sent", "sleep", "state", "track_all", "tracked")

    def __init__(self, *, send: Callable[[str], Awaitable[None]],
                 load: Callable[[int, int, int | None], Awaitable[Rows | None]],
                 authorise: Callable[[Event], bool],
                 observe: Callable[[Event], Awaitable[bool | None]] | None = None,
                 track_all: bool = False, gap_wait: float = GAP_WAIT,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.send, self.load, self.authorise, self.observe = send, load, authorise, observe
        self.track_all = track_all
        self.gap_wait, self.sleep = gap_wait, sleep
        self.sent: dict[int, int] = {}
        self.state: dict[int, int] = {}  # conv -> last_seq of its newest state sent
        self.tracked: set[int] = set()
        self.behind: set[int] = set()
        self._lanes: dict[int, _Lane] = {}
        self._early: list[Event] | None = []  # until start(): events before the welcome
        self.closed = False

    # --- what the socket's own replies tell the stream -----------------------------------
    async def start(self) -> None:
        """The welcome went out: the events that came before it go now."""
        early, self._early = self._early or [], None
        for event in early:
            await self.deliver(event)

    def track(self, conv: int, through: int) -> None:
        """The client holds ``conv`` through seq ``through`` (a page to the end, a
        welcome, an assignment): from now on every later message goes out once."""
        self.tracked.add(conv)
        self.behind.discard(conv)
        if through > self.sent.get(conv, 0):
            self.sent[conv] = through

    def fall_behind(self, conv: int, through: int) -> None:
        """A page of ``conv`` stopped at ``through`` with more after it: the client
        asks for the next page; live messages of it wait for that (they are dropped
        here and read with the page)."""
        self.tracked.add(conv)
        self.behind.add(conv)
        if through > self.sent.get(conv, 0):
            self.sent[conv] = through

    def untrack(self, conv: int) -> None:
        """The client no longer follows ``conv`` (a console closed it)."""
        self.tracked.discard(conv)
        self.behind.discard(conv)

    def hold(self, conv: int) -> None:
        """A page of ``conv`` is being read: keep its live events back until :meth:`release`."""
        self._lane(conv).held += 1

    async def release(self, conv: int, *, discard: bool = False) -> None:
        """The page went out (or, ``discard``, was refused: what waited is dropped)."""
        lane = self._lanes.get(conv)
        if lane is None:
            return
        lane.held = max(0, lane.held - 1)
        if discard:
            lane.pending.clear()
        self._kick(conv, lane)

    def close(self) -> None:
        self.closed = True
        for lane in self._lanes.values():
            if lane.task is not None:
                lane.task.cancel()
        self._lanes.clear()

    # --- events in -----------------------------------------------------------------------
    async def deliver(self, event: Event) -> None:
        """One event heard on the channel layer."""
        if self.closed:
            return
        if self._early is not None:
            self._early.append(event)
            return
        conv = event.get("conv")
        if conv is None:
            await self._emit(event, None)
            return
        lane = self._lanes.get(conv)
        if lane is None:  # nothing of this conversation is waiting: decide at once
            verdict = self._verdict(conv, event)
            if verdict is _DROP:
                return
            if verdict is _SEND:
                await self._emit(event, conv)
                return
            lane = self._lane(conv)
        lane.pending.append(event)
        lane.sorted = False
        self._kick(conv, lane)

    # --- internals -----------------------------------------------------------------------
    def _lane(self, conv: int) -> _Lane:
        lane = self._lanes.get(conv)
        if lane is None:
            lane = self._lanes[conv] = _Lane()
        return lane

    def _verdict(self, conv: int, event: Event) -> str:
        seq = event.get("seq")
        if event.get("kind") != "message" or seq is None:
            last = event.get("last_seq")
            if last is not None and last < self.state.get(conv, 0):
                return _DROP  # an older state of the conversation, crossed on the way
            return _SEND
        sent = self.sent.get(conv)
        if sent is not None and seq <= sent:
            return _DROP
        if conv in self.behind:
            return _DROP  # the client's next page reads it
        if not (self.track_all or conv in self.tracked):
            return _SEND  # a preview: in order, but a gap is not worth a fill
        sent = sent or 0
        prev = event.get("prev")
        if seq == sent + 1 or (prev is not None and prev <= sent):
            return _SEND
        return _WAIT

    def _kick(self, conv: int, lane: _Lane) -> None:
        """Make sure the lane is being worked on, or forget it once it is empty."""
        if self.closed or lane.task is not None:
            return
        if lane.held:
            return
        if not lane.pending and not lane.catch_up:
            self._lanes.pop(conv, None)
            return
        lane.task = asyncio.ensure_future(self._pump(conv, lane))

    async def _pump(self, conv: int, lane: _Lane) -> None:
        """Send the lane's events in order, waiting for and filling gaps, one at a time."""
        waited = False
        try:
            while (lane.pending or lane.catch_up) and not lane.held and not self.closed:
                if lane.catch_up:  # before the pending events: they are checked after it
                    lane.catch_up = False
                    if not await self._fill(conv, None):
                        lane.pending.clear()
                    continue
                if not lane.sorted:
                    _in_seq_order(lane.pending)
                    lane.sorted = True
                event = lane.pending[0]
                verdict = self._verdict(conv, event)
                if verdict is _DROP:
                    lane.pending.pop(0)
                elif verdict is _SEND:
                    lane.pending.pop(0)
                    waited = False
                    await self._emit(event, conv)
                elif not waited:  # the missing ones may be on their way: wait once
                    waited = True
                    await self.sleep(self.gap_wait)
                else:
                    waited = False
                    if not await self._fill(conv, event["seq"]):
                        lane.pending.clear()
        finally:
            lane.task = None
            if self._lanes.get(conv) is lane:
                self._kick(conv, lane)

    async def _fill(self, conv: int, before: int | None) -> bool:
        """Read and send what is missing below ``before`` (None: up to the newest);
        False if it cannot be read."""
        rows = await self.load(conv, self.sent.get(conv, 0), before)
        if rows is None or self.closed:
            return False
        for seq, text in rows:  # checked again: a page or another send may have gone first
            if self.closed:
                return False
            if self.sent.get(conv, 0) < seq and (before is None or seq < before):
                self.sent[conv] = seq
                await self.send(text)
        # The database is the truth: everything this socket may see below ``before`` is sent.
        if before is not None and self.sent.get(conv, 0) < before - 1:
            self.sent[conv] = before - 1
        return True

    async def _emit(self, event: Event, conv: int | None) -> None:
        if not self.authorise(event):
            return
        seq, last = event.get("seq"), event.get("last_seq")
        if conv is not None and seq is not None and event.get("kind") == "message":
            if seq > self.sent.get(conv, 0):
                self.sent[conv] = seq  # before the await: a fill running meanwhile sees it
        elif conv is not None and last is not None:
            if last < self.state.get(conv, 0):
                return  # checked again: a newer state went out while this one waited
            self.state[conv] = last
        follows = False
        if self.observe is not None:
            follows = bool(await self.observe(event))
        if self.closed:
            return
        await self.send(event["text"])
        if follows and conv is not None:
            # It joined the conversation's group just now: a message published between
            # the event's commit and the join reached the group without this socket.
            lane = self._lane(conv)
            lane.catch_up = True
            self._kick(conv, lane)


def _in_seq_order(events: list[Event]) -> None:
    """Messages by seq; any other event stays right after the message it followed."""
    key, keyed = 0, []
    for i, e in enumerate(events):
        if e.get("kind") == "message" and e.get("seq") is not None:
            key = e["seq"]
        keyed.append((key, i, e))
    keyed.sort(key=lambda item: (item[0], item[1]))
    events[:] = [e for _, _, e in keyed]
