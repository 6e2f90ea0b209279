"""Frames out: what a socket sends, checked against the outbound schema in the tests,
and its ordered stream of events (``realtime.delivery.Stream``).

Delivery: what a socket sends, in what order, is its stream: it drops what was
sent already, waits briefly for crossing events, fills gaps from the database
(one fill per conversation at a time) and holds a conversation's events while
a page of its history is read. Each event goes out only if the socket may hear
it at that moment (``may_hear``: its site, and a group the socket is still in).
"""

from __future__ import annotations

import logging

from autobahn.exception import Disconnected
from django.db import DatabaseError, InterfaceError

from bus import events, metrics, outage
from bus.db import in_db
from papo.errors import PapoError

from .. import outbound
from ..delivery import Rows
from .codes import CLOSE_TRY_AGAIN, OUTBOUND_MISMATCH

log = logging.getLogger("papo.realtime")


class Outgoing:
    """Mixed into ``PapoConsumer``: what a socket sends, and when."""

    check_frames = False  # PAPO_CHECK_FRAMES, read when the socket opens (not per frame)

    async def send_frame(self, frame: dict) -> None:
        await self.send_text(events.dumps(frame))

    async def send_text(self, text: str) -> None:
        """Send unless the socket is gone: a client may close between an event
        arriving and its disconnect being processed. Only that is swallowed: a
        frame the transport refuses otherwise (once, autobahn's size cap on sent
        frames, a ``RuntimeError`` too) must show as the bug it is."""
        if self.closed:
            return
        if self.check_frames:
            wrong = outbound.problems(self.endpoint, text)
            if wrong:  # the test suites fail on this line (papo.testing.live)
                log.error("%s %s frame: %s; %s", OUTBOUND_MISMATCH, self.endpoint,
                          "; ".join(wrong), text[:500])
        try:
            await self.send(text_data=text)
        except Disconnected:  # autobahn (under daphne): "Attempt to send on a closed protocol"
            self.closed = True

    async def papo_event(self, event: dict) -> None:
        if self.closed or event.get("skip") == self.channel_name:
            return
        await self.stream.deliver(event)

    def may_hear(self, event: dict) -> bool:
        """May this socket hear ``event`` now? Asked as each event goes out."""
        raise NotImplementedError

    async def on_event(self, event: dict) -> bool | None:
        """Hook: react to an event just before it is forwarded. True when this socket
        has just started to follow the event's conversation: the stream then reads
        what was published before it joined (``Stream``'s ``observe``)."""

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

    async def _load(self, conv: int, after: int, before: int | None) -> Rows | None:
        """The stream's gap fill: messages strictly between two seqs (``before`` None:
        every later one), from the database.

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
        if before is not None:
            metrics.count("gap.filled")
            log.info("seq gap on conversation %s (%s..%s) filled from the database for %s",
                     conv, after, before, self.describe())
        elif rows:  # a console that just joined the chat's group (an assignment)
            metrics.count("gap.caught_up")
            log.info("conversation %s after %s caught up from the database for %s", conv,
                     after, self.describe())
        return [(m["seq"], events.dumps({"type": "message", "message": m})) for m in rows]

    def load_range(self, conv: int, after: int, before: int | None) -> list[dict]:
        """Messages of ``conv`` strictly between two seqs (``before`` None: every later
        one) that this socket may see."""
        raise NotImplementedError

