"""Sends from every socket of a process, stored together.

Each message used to pay for itself: a hop to a database thread, a Redis round
trip for the visitor's frame count, a database round trip and a commit, and a
publish. On a busy desk, sends from many sockets arrive within the same
millisecond, and that per-message cost is what bounded the server
(docs/performance.md). Here a send waits only while earlier batches are being
stored: in a quiet moment it goes at once, alone; the sends that arrive
meanwhile go together in the next batch, in one hop: one pipelined count of
the visitors' frames, one transaction for the messages
(``conversations.actions.do_send_many``), and one pipelined publish of their
events. So the busier the process, the fewer round trips per message, and an
idle one adds no delay. On the embedded server (SQLite, frames counted in this
process) the batch's sends into open chats need no hop at all: they are stored
on the event loop (``bus.db.here``), and only what they leave goes to a hop.

At most ``PAPO_SEND_BATCHES`` batches are stored at once per process (a batch
holding a slow send, such as a first message being routed, does not hold up
the next), each of at most ``PAPO_SEND_BATCH_MAX`` sends. Within a batch the
sends into open conversations (the common case) are stored first, the others
after (conversations.actions.do_send_many); sends of different sockets have no
order of their own, and a socket that must keep its own sends in order waits
for each one's ack, as both consumers do.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import deque
from dataclasses import dataclass
from functools import partial

from django.conf import settings

from bus import db, events
from conversations import actions

from . import limits
from .visitor_bucket import Allowance

Outcome = tuple[float | None, "actions.Ack | Exception | None"]


@dataclass
class _Waiting:
    send: actions.Send
    cap: Allowance | None  # the visitor's frame allowance; None: not counted (agents)
    future: asyncio.Future


class _Batcher:
    """One event loop's queue of sends and the batches storing them."""

    def __init__(self) -> None:
        self.waiting: deque[_Waiting] = deque()
        self.storing = 0
        self.tasks: set[asyncio.Task] = set()  # the running drains (kept from the GC)

    async def store(self, send: actions.Send, cap: Allowance | None) -> tuple[
            float | None, actions.Ack | None]:
        future = asyncio.get_running_loop().create_future()
        self.waiting.append(_Waiting(send, cap, future))
        if self.storing < settings.PAPO["SEND_BATCHES"]:
            self.storing += 1
            task = asyncio.ensure_future(self._drain())
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        retry_after, result = await future
        if isinstance(result, Exception):
            raise result
        return retry_after, result

    async def _drain(self) -> None:
        try:
            while self.waiting:
                size = min(len(self.waiting), settings.PAPO["SEND_BATCH_MAX"])
                batch = [self.waiting.popleft() for _ in range(size)]
                try:
                    outcomes = await _store_batch([(w.send, w.cap) for w in batch])
                except Exception as exc:  # the whole batch failed (say, the database is down)
                    outcomes = [(None, exc)] * len(batch)
                for waiting, outcome in zip(batch, outcomes, strict=True):
                    if not waiting.future.done():  # its socket may have gone meanwhile
                        waiting.future.set_result(outcome)
        finally:
            self.storing -= 1


async def _store_batch(batch: list[tuple[actions.Send, Allowance | None]]) -> list[Outcome]:
    """Count the visitors' frames, then store the sends allowed.

    On SQLite with this process's own frame counts (the embedded server), the
    common sends are stored on the event loop itself (``bus.db.here``); what they
    leave (first messages, claims, duplicates), or all of them if the database is
    busy elsewhere, goes to a hop as usual."""
    if not (db.here_possible() and limits.counted_here()):
        return await events.run(_store, batch)
    outcomes = _count(batch)
    left = [i for i, (wait, _) in enumerate(outcomes) if wait is None]
    if left:
        try:
            _fill(outcomes, left, await events.run_here(
                partial(actions.do_send_many, fast_only=True), [batch[i][0] for i in left]))
        except db.Busy:
            pass
        left = [i for i in left if outcomes[i][1] is None]
    if left:
        _fill(outcomes, left, await events.run(actions.do_send_many,
                                               [batch[i][0] for i in left]))
    return outcomes


def _count(batch: list[tuple[actions.Send, Allowance | None]]) -> list[Outcome]:
    """Each send's wait for the visitor's frame allowance (None: allowed)."""
    counted = [i for i, (_, cap) in enumerate(batch) if cap is not None]
    waits = dict(zip(counted, limits.visitor_frame_waits(
        [(batch[i][0].visitor.public_id, batch[i][1]) for i in counted]), strict=True))
    return [(waits.get(i), None) for i in range(len(batch))]


def _fill(outcomes: list[Outcome], which: list[int],
          results: list[actions.Ack | Exception | None]) -> None:
    for i, result in zip(which, results, strict=True):
        outcomes[i] = (None, result)


def _store(batch: list[tuple[actions.Send, Allowance | None]]) -> list[Outcome]:
    """In one database hop: count the visitors' frames, then store the sends allowed."""
    outcomes = _count(batch)
    allowed = [i for i, (wait, _) in enumerate(outcomes) if wait is None]
    _fill(outcomes, allowed, actions.do_send_many([batch[i][0] for i in allowed]))
    return outcomes


_batchers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Batcher] = (
    weakref.WeakKeyDictionary())


async def store(send: actions.Send, visitor_cap: Allowance | None = None) -> tuple[
        float | None, actions.Ack | None]:
    """Store ``send`` with whatever else is being sent: ``(retry_after, ack)``.

    With ``visitor_cap`` the send first counts against the visitor's frame
    allowance (``realtime.limits``); over it, nothing is stored and
    ``retry_after`` says how long to wait. A send that fails raises its error
    (``PapoError``, or the database's), as the action alone would."""
    loop = asyncio.get_running_loop()
    batcher = _batchers.get(loop)
    if batcher is None:
        batcher = _batchers[loop] = _Batcher()
    return await batcher.store(send, visitor_cap)
