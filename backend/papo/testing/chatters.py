"""Clients that keep chatting through faults, and the books to check them against.

A :class:`Crowd` is N visitors and one agent console speaking the real
protocol (docs/protocol.md) over real sockets, behaving as the real clients do:

- a message gets its ``client_id`` before its first try and keeps it through
  errors, reconnects and server changes (``widget/src/client/outbox.ts``); one
  message is in flight per client, the next goes after its ack, so the order
  of a sender's messages is the order they were typed;
- transient errors (``unavailable``, ``rate_limited``, ``server_error``) send the
  same frame again after ``retry_after``; any other error drops the message
  (recorded as refused);
- a dropped socket reconnects with backoff and jitter to the *next* server URL
  of the list, as a load balancer steers clients away from a dead process;
- a visitor resumes (``hello.resume``) from the highest seq the server
  *streamed* to it (welcome, message, history frames); a seq it only knows
  from its own ack says nothing about the messages before it, which it may
  have missed (``widget/src/client/socket.ts`` does the same); the agent
  re-opens its conversations with ``after_seq`` = the last seq it holds with
  no gap below (``agent_console/src/state.ts``);
- every message shown is recorded by (conversation, seq) and merged by seq,
  as the real clients render it.

:meth:`Crowd.check` then compares what every side was shown with what the
database (PostgreSQL, or SQLite on the embedded stack) holds. Definitions:

- **lost**: an acked message that is not stored at the acked seq, or a stored
  message never shown to a side that must see it (its visitor: every
  non-internal message of their conversation; the agent: every message of the
  conversations assigned to it), or a typed message still unacknowledged;
- **duplicated**: a client id stored twice, a client id shown at two seqs, or
  one seq shown with two different contents. The same (conversation, seq)
  arriving again with the same content is merged away by every real client:
  counted as ``redelivered``, not a failure;
- **out of order**: on one socket, a live ``message`` frame whose seq is not
  above the last live one of its conversation (the server fills gaps first).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import websockets
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

TRANSIENT = {"unavailable", "rate_limited", "server_error"}


def backoff(attempt: int, base: float = 0.2, cap: float = 2.0) -> float:
    """Exponential with equal jitter, as ``widget/src/client/backoff.ts`` (faster steps)."""
    step = min(cap, base * 2 ** max(0, attempt))
    return step / 2 + random.random() * step / 2


@dataclass
class Books:
    """What the whole crowd typed, got acknowledged, and what went wrong on the way."""

    sent: dict[str, dict] = field(default_factory=dict)  # client id -> {"by", "body"}
    acks: dict[str, tuple[int, int]] = field(default_factory=dict)  # client id -> (conv, seq)
    ack_conflicts: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # client id -> error code
    errors: Counter = field(default_factory=Counter)  # error frames by code
    closes: Counter = field(default_factory=Counter)  # socket ends by close code
    failed_connects: Counter = field(default_factory=Counter)  # handshakes that failed
    welcomes: int = 0

    def acked(self, client_id: str, conv: int, seq: int) -> None:
        was = self.acks.setdefault(client_id, (conv, seq))
        if was != (conv, seq):
            self.ack_conflicts.append(f"{client_id} acked as {was} and as {(conv, seq)}")


class Client:
    """One socket's worth of a real client: outbox, reconnects, resume, what it showed."""

    def __init__(self, crowd: Crowd, name: str, start: int) -> None:
        self.crowd = crowd
        self.books = crowd.books
        self.name = name
        self.turn = start  # index into crowd.urls; moves on after every drop
        self.ws = None
        self.ready = False
        self.stopped = False
        self.outbox: list[dict] = []  # send frames, oldest first
        self.in_flight: str | None = None
        self.generation = 0  # one per socket; timers of an old socket do nothing
        self.counter = itertools.count(1)
        # conversation -> seq -> (client_id, body) as shown; merged by seq
        self.shown: dict[int, dict[int, tuple]] = {}
        self.conflicts: list[str] = []
        self.disorder: list[str] = []
        self.live_seq: dict[int, int] = {}  # conversation -> last live seq on this socket
        self.redelivered = 0
        self.reconnects = 0
        self.servers: Counter = Counter()  # welcomes per server URL
        self.task: asyncio.Task | None = None
        self.timers: set[asyncio.Task] = set()

    # --- hooks --------------------------------------------------------------------------------
    def endpoint(self, url: str) -> str: ...
    def origin(self, url: str) -> str: ...
    def headers(self) -> dict: return {}
    def hello(self) -> dict: ...
    async def on_welcome(self, frame: dict) -> None: ...
    async def on_other(self, frame: dict) -> None: ...

    # --- the connection -------------------------------------------------------------------------
    def start(self) -> None:
        self.task = asyncio.ensure_future(self.run())

    async def run(self) -> None:
        attempt = 0
        while not self.stopped:
            url = self.crowd.urls[self.turn % len(self.crowd.urls)]
            welcomed = await self.connect_once(url)
            if self.stopped:
                return
            attempt = 0 if welcomed else attempt + 1
            self.turn += 1
            self.reconnects += 1
            await asyncio.sleep(backoff(attempt))

    async def connect_once(self, url: str) -> bool:
        """One socket from handshake to close; True if it got as far as welcome."""
        try:
            ws = await websockets.connect(
                self.endpoint(url), origin=self.origin(url), additional_headers=self.headers(),
                open_timeout=10, close_timeout=2, ping_interval=None, max_size=2**22)
        except InvalidStatus as exc:
            self.books.failed_connects[f"http {exc.response.status_code}"] += 1
            return False
        except (OSError, TimeoutError, InvalidHandshake) as exc:
            self.books.failed_connects[type(exc).__name__] += 1
            return False
        self.ws = ws
        self.generation += 1
        self.in_flight = None
        self.live_seq = {}
        welcomed = False
        try:
            await ws.send(json.dumps(self.hello()))
            async for raw in ws:
                frame = json.loads(raw)
                if frame.get("type") == "welcome":
                    welcomed = True
                    self.ready = True
                    self.books.welcomes += 1
                    self.servers[url] += 1
                    await self.on_welcome(frame)
                    await self.flush()
                else:
                    await self.on_frame(frame)
        except ConnectionClosed:
            pass
        finally:
            self.ready = False
            self.ws = None
            self.in_flight = None
        self.books.closes[ws.close_code if ws.close_code is not None else 1006] += 1
        return welcomed

    async def tx(self, frame: dict) -> None:
        ws = self.ws
        if ws is not None:
            with contextlib.suppress(ConnectionClosed):
                await ws.send(json.dumps(frame))

    # --- sending ------------------------------------------------------------------------------
    async def say(self, body: str, **extra) -> str:
        """Type a message: it waits in the outbox until acknowledged."""
        cid = f"c-{self.name}-{next(self.counter)}-{uuid.uuid4().hex[:8]}"
        self.books.sent[cid] = {"by": self.name, "body": body}
        self.outbox.append({"type": "send", "ref": cid, "client_id": cid, "body": body, **extra})
        await self.flush()
        return cid

    async def flush(self) -> None:
        """Send the oldest waiting message unless one is already in flight."""
        if self.ready and self.in_flight is None and self.outbox:
            frame = self.outbox[0]
            self.in_flight = frame["client_id"]
            await self.tx(frame)

    def later(self, seconds: float, fn) -> None:
        """Run ``fn()`` (a coroutine function) after ``seconds`` if this socket still lives."""
        generation = self.generation

        async def go() -> None:
            await asyncio.sleep(seconds)
            if generation == self.generation and self.ready and not self.stopped:
                await fn()

        task = asyncio.ensure_future(go())
        self.timers.add(task)
        task.add_done_callback(self.timers.discard)

    # --- frames in ------------------------------------------------------------------------------
    async def on_frame(self, frame: dict) -> None:
        kind = frame.get("type")
        if kind == "message":
            m = frame["message"]
            last = self.live_seq.get(m["conversation"], 0)
            if m["seq"] <= last:  # the server sends live messages in order, each once
                self.disorder.append(f"{self.name}: #{m['conversation']}.{m['seq']} live "
                                     f"after {last} on one socket")
            self.live_seq[m["conversation"]] = max(last, m["seq"])
            self.show(m, streamed=True)
        elif kind == "ack":
            await self.on_ack(frame)
        elif kind == "error":
            await self.on_error(frame)
        else:
            await self.on_other(frame)

    async def on_ack(self, frame: dict) -> None:
        cid = frame["client_id"]
        self.books.acked(cid, frame["conversation"], frame["seq"])
        sent = self.books.sent.get(cid)
        if sent is not None:  # the real clients show their own message from the ack
            self.show({"conversation": frame["conversation"], "seq": frame["seq"],
                       "client_id": cid, "body": sent["body"]}, streamed=False)
        self.outbox = [f for f in self.outbox if f["client_id"] != cid]
        if self.in_flight == cid:
            self.in_flight = None
        await self.flush()

    async def on_error(self, frame: dict) -> None:
        code, ref = frame.get("code", "?"), frame.get("ref")
        self.books.errors[code] += 1
        if ref is None or not any(f["client_id"] == ref for f in self.outbox):
            return
        if code in TRANSIENT:  # nothing stored: the same frame goes again later

            async def again() -> None:
                if self.in_flight == ref:
                    self.in_flight = None
                await self.flush()

            self.later(min(float(frame.get("retry_after") or 1.0), 3.0), again)
        else:
            self.books.refused[ref] = code
            self.outbox = [f for f in self.outbox if f["client_id"] != ref]
            if self.in_flight == ref:
                self.in_flight = None
            await self.flush()

    def show(self, m: dict, *, streamed: bool) -> None:
        conv, seq = m["conversation"], m["seq"]
        held = self.shown.setdefault(conv, {})
        content = (m.get("client_id"), m.get("body") or "")
        if seq in held:
            if held[seq][0] != content:
                self.conflicts.append(f"{self.name}: #{conv}.{seq} shown as {held[seq][0]} "
                                      f"and as {content}")
            elif streamed and held[seq][1]:
                self.redelivered += 1
            held[seq] = (held[seq][0], held[seq][1] or streamed)
        else:
            held[seq] = (content, streamed)
        if streamed:
            self.on_streamed(conv, seq)

    def on_streamed(self, conv: int, seq: int) -> None:
        """Hook: the server sent ``seq`` of ``conv`` on this client's stream."""

    async def stop(self) -> None:
        self.stopped = True
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.task


class Visitor(Client):
    def __init__(self, crowd: Crowd, name: str, start: int) -> None:
        super().__init__(crowd, name, start)
        self.token: str | None = None
        self.conversation: int | None = None
        self.streamed: dict[int, int] = {}  # conversation -> highest seq the server streamed

    def endpoint(self, url: str) -> str:
        return f"{url}/ws/widget/{self.crowd.site_key}/"

    def origin(self, url: str) -> str:
        return self.crowd.origin

    def hello(self) -> dict:
        frame: dict = {"type": "hello", "v": 2}
        if self.token:
            frame["token"] = self.token
        if self.conversation is not None:
            frame["resume"] = {"conversation": self.conversation,
                               "last_seq": self.streamed.get(self.conversation, 0)}
        return frame

    async def on_welcome(self, frame: dict) -> None:
        self.token = frame["token"]
        if frame.get("conversation"):
            self.conversation = frame["conversation"]["id"]
        for m in frame.get("messages") or []:
            self.show(m, streamed=True)
        if frame.get("more_after") and self.conversation is not None:
            await self.page_forward(self.conversation)

    async def page_forward(self, conv: int) -> None:
        """The resume did not reach the newest message: ask for what follows, as the
        widget does (its live messages wait for the pages on the server)."""
        await self.tx({"type": "history", "ref": "forward", "limit": 200,
                       "after_seq": self.streamed.get(conv, 0)})

    async def on_ack(self, frame: dict) -> None:
        self.conversation = frame["conversation"]
        await super().on_ack(frame)

    def on_streamed(self, conv: int, seq: int) -> None:
        self.conversation = conv
        self.streamed[conv] = max(seq, self.streamed.get(conv, 0))

    async def on_other(self, frame: dict) -> None:
        if frame.get("type") == "history":
            for m in frame.get("messages") or []:
                self.show(m, streamed=True)
            if frame.get("ref") == "forward" and frame.get("has_more") and frame["conversation"]:
                await self.page_forward(frame["conversation"])

    async def on_error(self, frame: dict) -> None:
        if frame.get("ref") == "forward":  # a page that failed: ask again, as the widget does
            self.books.errors[frame.get("code", "?")] += 1
            if frame.get("code") in TRANSIENT and self.conversation is not None:
                conv = self.conversation
                self.later(1.0, lambda: self.page_forward(conv))
            return
        await super().on_error(frame)


class Agent(Client):
    def __init__(self, crowd: Crowd, name: str, start: int, session: str) -> None:
        super().__init__(crowd, name, start)
        self.session = session
        self.agent_id: int | None = None
        self.following: set[int] = set()  # conversations assigned to this agent
        self.opened: set[int] = set()  # opened on the current socket
        self.ping_task: asyncio.Task | None = None

    def endpoint(self, url: str) -> str:
        return f"{url}/ws/console/"

    def origin(self, url: str) -> str:
        return url.replace("ws://", "http://", 1)

    def headers(self) -> dict:
        return {"Cookie": f"sessionid={self.session}"}

    def hello(self) -> dict:
        return {"type": "hello", "v": 2}

    def start(self) -> None:
        super().start()

        async def beat() -> None:  # the console's heartbeat keeps its presence fresh
            while not self.stopped:
                await asyncio.sleep(self.crowd.ping_every)
                if self.ready:
                    await self.tx({"type": "ping", "ref": "beat"})

        self.ping_task = asyncio.ensure_future(beat())

    async def stop(self) -> None:
        if self.ping_task is not None:
            self.ping_task.cancel()
        await super().stop()

    def resume_from(self, conv: int) -> int:
        """The last seq held with no gap below it (every seq is the agent's to see)."""
        held = self.shown.get(conv, {})
        last = 0
        while last + 1 in held:
            last += 1
        return last

    async def on_welcome(self, frame: dict) -> None:
        self.agent_id = frame["agent"]["id"]
        self.opened = set()
        await self.tx({"type": "list", "ref": "list", "box": "mine", "limit": 100})
        for conv in sorted(self.following):
            await self.open(conv)

    async def open(self, conv: int) -> None:
        self.following.add(conv)
        self.opened.add(conv)
        await self.tx({"type": "open", "ref": f"open:{conv}", "conversation": conv,
                       "after_seq": self.resume_from(conv), "limit": 200})

    async def on_error(self, frame: dict) -> None:
        ref = frame.get("ref")
        if isinstance(ref, str) and (ref == "list" or ref.startswith("open:")):
            self.books.errors[frame.get("code", "?")] += 1
            if frame.get("code") in TRANSIENT:  # ask again, as the console does
                if ref == "list":
                    self.later(1.0, lambda: self.tx({"type": "list", "ref": "list",
                                                     "box": "mine", "limit": 100}))
                else:
                    conv = int(ref.split(":")[1])
                    self.later(1.0, lambda: self.open(conv))
            return
        if ref == "beat":
            self.books.errors[frame.get("code", "?")] += 1
            return
        await super().on_error(frame)

    async def on_other(self, frame: dict) -> None:
        kind = frame.get("type")
        if kind == "history":
            conv = frame["conversation"]["id"]
            for m in frame.get("messages") or []:
                self.show(m, streamed=True)
            if frame.get("has_more"):
                await self.open(conv)
        elif kind == "list" and frame.get("box") == "mine":
            for c in frame["conversations"]:
                if c["id"] not in self.opened:
                    await self.open(c["id"])
        elif kind == "conversation":
            conv = frame["conversation"]
            if ((conv.get("assignee") or {}).get("id") == self.agent_id
                    and conv["id"] not in self.opened):
                await self.open(conv["id"])


@dataclass
class Report:
    """Figures of one run; ``problems`` lists every lost or doubled message."""

    figures: dict
    problems: list[str]

    def __str__(self) -> str:
        return json.dumps(self.figures, sort_keys=True)


class Crowd:
    """N visitors and one agent chatting on one site across a list of servers."""

    def __init__(self, urls: list[str], *, site_key: str, origin: str, agent: dict,
                 visitors: int, database_url: str, ping_every: float = 2.0) -> None:
        self.ping_every = ping_every  # the agent's heartbeat (below PAPO_PRESENCE_TTL)
        self.urls = [u.rstrip("/") for u in urls]
        self.site_key = site_key
        self.origin = origin
        self.database_url = database_url
        self.books = Books()
        self.agent = Agent(self, "agent", 0, agent["session"])
        self.visitors = [Visitor(self, f"v{i}", i) for i in range(visitors)]
        self._chat: asyncio.Task | None = None

    @property
    def clients(self) -> list[Client]:
        return [self.agent, *self.visitors]

    async def start(self, timeout: float = 30) -> None:
        """Everybody connected; every visitor has a conversation the agent follows."""
        self.agent.start()
        for v in self.visitors:
            v.start()
        await self.until(lambda: all(c.ready for c in self.clients), timeout, "all connected")
        for v in self.visitors:
            await v.say(f"{v.name} hello")
        await self.until(
            lambda: all(v.conversation in self.agent.following for v in self.visitors)
            and not any(c.outbox for c in self.clients),
            timeout, "every conversation assigned to the agent")

    async def until(self, ok, timeout: float, what: str) -> float:
        start = time.monotonic()
        while not ok():
            if time.monotonic() - start > timeout:
                raise TimeoutError(f"not {what} within {timeout}s: {self.figures()}")
            await asyncio.sleep(0.05)
        return time.monotonic() - start

    def chatting(self, every: float = 0.4) -> None:
        """Start chatting in the background: each visitor says something every
        ``every`` seconds, the agent answers each conversation as often."""

        async def talk(client: Client, say) -> None:
            await asyncio.sleep(random.uniform(0, every))
            n = 0
            while True:
                n += 1
                await say(n)
                await asyncio.sleep(every * random.uniform(0.7, 1.3))

        tasks = [talk(v, lambda n, v=v: v.say(f"{v.name} says {n}")) for v in self.visitors]

        async def agent_round(n: int) -> None:
            for v in self.visitors:
                await self.agent.say(f"agent to {v.name}: {n}", conversation=v.conversation)

        tasks.append(talk(self.agent, agent_round))
        self._chat = asyncio.ensure_future(asyncio.gather(*tasks))

    async def quiet(self) -> None:
        """Stop typing (what was typed still goes out)."""
        if self._chat is not None:
            self._chat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._chat
            self._chat = None

    async def stop(self) -> None:
        await self.quiet()
        await asyncio.gather(*(c.stop() for c in self.clients))

    # --- checking against the database -----------------------------------------------------
    def _stored(self) -> list[tuple]:
        """The site's messages as the database holds them (PostgreSQL, or SQLite by path)."""
        sql = ("SELECT m.conversation_id, m.seq, m.client_id, m.body, m.internal "
               "FROM conversations_message m "
               "JOIN conversations_conversation c ON c.id = m.conversation_id "
               "JOIN papo_sites_site s ON s.id = c.site_id WHERE s.key = %s")
        if self.database_url.startswith("sqlite:///"):
            import sqlite3

            conn = sqlite3.connect(self.database_url.removeprefix("sqlite:///"), timeout=30)
            try:
                return [(*r[:4], bool(r[4]))
                        for r in conn.execute(sql.replace("%s", "?"), (self.site_key,))]
            finally:
                conn.close()
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as conn:
            return conn.execute(sql, (self.site_key,)).fetchall()

    def _problems(self, rows: list[tuple]) -> tuple[list[str], dict]:
        problems: list[str] = []
        by_conv: dict[int, dict[int, tuple]] = {}
        where: dict[str, list[tuple[int, int]]] = {}
        for conv, seq, cid, body, internal in rows:
            by_conv.setdefault(conv, {})[seq] = ((cid, body or ""), internal)
            if cid is not None:
                where.setdefault(cid, []).append((conv, seq))
        for cid, places in where.items():
            if len(places) > 1:
                problems.append(f"duplicated: {cid} stored {len(places)} times at {places}")
        for cid, at in self.books.acks.items():
            if where.get(cid, [None])[0] != at:
                problems.append(f"lost: {cid} acked at {at}, stored at {where.get(cid)}")
        problems += [f"duplicated: {c}" for c in self.books.ack_conflicts]
        delivered = expected = 0
        for client in self.clients:
            problems += [f"duplicated: {c}" for c in client.conflicts]
            problems += [f"out of order: {c}" for c in client.disorder]
            convs = ([client.conversation] if isinstance(client, Visitor) and client.conversation
                     else sorted(by_conv) if isinstance(client, Agent) else [])
            for conv in convs:
                shown = client.shown.get(conv, {})
                ids: dict[str, int] = {}
                for seq, ((cid, _body), _streamed) in shown.items():
                    if cid is not None and ids.setdefault(cid, seq) != seq:
                        problems.append(f"duplicated: {client.name} shows {cid} at "
                                        f"{ids[cid]} and {seq}")
                for seq, (content, internal) in sorted(by_conv.get(conv, {}).items()):
                    if internal and isinstance(client, Visitor):
                        continue
                    expected += 1
                    got = shown.get(seq)
                    if got is None:
                        problems.append(f"lost: {client.name} never shown #{conv}.{seq}")
                    elif got[0] != content:
                        problems.append(f"duplicated: {client.name} shows #{conv}.{seq} as "
                                        f"{got[0]}, stored as {content}")
                    else:
                        delivered += 1
        pending = [f["client_id"] for c in self.clients for f in c.outbox]
        problems += [f"lost: {cid} never acknowledged" for cid in pending]
        return problems, {"delivered": delivered, "deliveries_expected": expected,
                          "stored": len(rows), "unacked": len(pending)}

    def caught_up(self, client_ids: list[str]) -> bool:
        """Every one of these messages is acknowledged and shown to both sides."""
        visitor_of = {v.conversation: v for v in self.visitors}
        for cid in client_ids:
            at = self.books.acks.get(cid)
            if at is None:
                return False
            content = (cid, self.books.sent[cid]["body"])
            for client in (self.agent, visitor_of.get(at[0])):
                got = client.shown.get(at[0], {}).get(at[1]) if client else None
                if got is None or got[0] != content:
                    return False
        return True

    async def settle(self, timeout: float = 30) -> float:
        """Wait until every outbox is empty and every side was shown everything stored;
        returns how long that took."""
        start = time.monotonic()
        while True:
            problems, _ = self._problems(await asyncio.to_thread(self._stored))
            if not problems:
                return time.monotonic() - start
            if time.monotonic() - start > timeout:
                return float("inf")
            await asyncio.sleep(0.25)

    def figures(self) -> dict:
        b = self.books
        return {
            "visitors": len(self.visitors), "sent": len(b.sent), "acked": len(b.acks),
            "refused": dict(Counter(b.refused.values())), "errors": dict(b.errors),
            "closes": dict(b.closes), "failed_connects": dict(b.failed_connects),
            "welcomes": b.welcomes,
            "reconnects": sum(c.reconnects for c in self.clients),
            "redelivered": sum(c.redelivered for c in self.clients),
        }

    async def check(self) -> Report:
        rows = await asyncio.to_thread(self._stored)
        problems, counts = self._problems(rows)
        lost = sum(p.startswith("lost") for p in problems)
        duplicated = sum(p.startswith("duplicated") for p in problems)
        disorder = sum(p.startswith("out of order") for p in problems)
        return Report({**self.figures(), **counts, "lost": lost, "duplicated": duplicated,
                       "out_of_order": disorder}, problems)
