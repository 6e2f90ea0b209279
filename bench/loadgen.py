"""Papo's load generator: real widgets and consoles over real sockets.

Runs in its own process (the runner pins it to its own core) and speaks the
protocol of docs/protocol.md: visitors say hello, send with client ids, keep
an outbox and resume after reconnecting with backoff and jitter; agents log
in with a session, watch the chats routed to them and answer. Latency is
measured from each message's *scheduled* send time, so a generator that
falls behind shows up as latency, not as a lighter load.

It prints one JSON object (the result) on its last line of output. The
``storm`` and ``drop`` scenarios talk to the runner over stdin/stdout to have
the server restarted, and time from the moment the old process was gone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
import uuid
from dataclasses import dataclass, field

import psutil
import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

now = time.monotonic


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


@dataclass
class Tally:
    v2a: list[float] = field(default_factory=list)  # visitor -> agent latency, ms
    a2v: list[float] = field(default_factory=list)
    sent: int = 0
    acked: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    http_status: dict[int, int] = field(default_factory=dict)
    # client id -> how many times the intended receiver was shown it
    expected: dict[str, int] = field(default_factory=dict)
    duplicates: int = 0      # one client id stored under two seqs: a visible duplicate
    redelivered: int = 0     # the same (conversation, seq) sent again (clients merge by seq)
    recording: bool = False
    seqs: dict[str, tuple[int, int]] = field(default_factory=dict)  # client id -> (conv, seq)
    tracked: set[str] = field(default_factory=set)  # client ids sent with a schedule

    def error(self, code: str) -> None:
        self.errors[code] = self.errors.get(code, 0) + 1

    def delivered(self, cid: str, sched: float, into: list[float], where: tuple[int, int]) -> None:
        if cid not in self.tracked:
            return
        first = self.seqs.setdefault(cid, where)
        if first != where:
            self.duplicates += 1  # the server stored it twice
            return
        seen = self.expected.get(cid)
        if seen:
            self.redelivered += 1
            return
        self.expected[cid] = 1
        if self.recording:
            into.append((now() - sched) * 1000)

    def acknowledged(self, cid: str) -> None:
        self.acked += 1
        if cid in self.tracked:
            self.expected.setdefault(cid, 0)

    def outstanding(self) -> int:
        return sum(1 for n in self.expected.values() if n == 0)


def failure_kind(exc: BaseException) -> str:
    """``ConnectionRefusedError``, ``TimeoutError``, ``ConnectionClosedError:1013`` …"""
    kind = type(exc).__name__
    if isinstance(exc, ConnectionClosed) and exc.rcvd is not None:
        kind += f":{exc.rcvd.code}"
    return kind


BACKOFF_BASE, BACKOFF_CAP = 0.5, 30.0  # seconds: the widget's and the console's


def backoff(attempt: int) -> float:
    """widget/src/client/backoff.ts: exponential, half fixed and half random."""
    step = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** attempt)
    return step / 2 + step / 2 * random.random()


class Endpoint:
    """One socket with reconnect (the widget's backoff and jitter) and an outbox."""

    def __init__(self, gen: Gen) -> None:
        self.gen = gen
        self.base = gen.next_url()
        self.ws = None
        self.outbox: dict[str, dict] = {}
        self.connected = asyncio.Event()
        self.welcomes = 0
        self.closed_for_good = False

    async def open(self, attempt: int = 0) -> None:
        """Connect and say hello, retrying on the widget's schedule (``backoff``)."""
        while not self.closed_for_good:
            try:
                self.ws = await websockets.connect(
                    self.url(), origin=self.origin(), additional_headers=self.headers(),
                    ping_interval=None, open_timeout=20, max_size=2**22)
                await self.ws.send(json.dumps(self.hello()))
                welcome = json.loads(await asyncio.wait_for(self.ws.recv(), 20))
                if welcome.get("type") != "welcome":
                    raise RuntimeError(f"no welcome: {welcome}")
                self.welcomes += 1
                await self.on_welcome(welcome)
                self.connected.set()
                for frame in list(self.outbox.values()):  # same client ids: stored once
                    await self.ws.send(json.dumps(frame))
                await self.after_resend()
                return
            except InvalidStatus as exc:
                code = exc.response.status_code
                self.gen.tally.http_status[code] = self.gen.tally.http_status.get(code, 0) + 1
            except (TimeoutError, OSError, ConnectionClosed, RuntimeError,
                    WebSocketException) as exc:
                # WebSocketException: e.g. a stopping server that took the TCP connection
                # and closed it without an HTTP answer (InvalidMessage); a client that
                # let it escape here would never reconnect, as a real widget does.
                # Counted by kind: refused, timed out and cut off are different failures.
                self.gen.tally.error(f"connect:{failure_kind(exc)}")
            await asyncio.sleep(backoff(attempt))
            attempt += 1

    async def run(self) -> None:
        while not self.closed_for_good:
            try:
                async for raw in self.ws:
                    self.on_frame(json.loads(raw))
            except ConnectionClosed:
                pass
            if self.closed_for_good:
                return
            self.connected.clear()
            self.gen.disconnects += 1
            await asyncio.sleep(backoff(0))  # as the widget: never straight back
            await self.open(attempt=1)

    async def send(self, frame: dict) -> None:
        self.outbox[frame["client_id"]] = frame
        self.gen.tally.sent += 1
        if self.connected.is_set():
            try:
                await self.ws.send(json.dumps(frame))
            except ConnectionClosed:
                pass  # resent from the outbox after reconnecting

    def on_ack(self, frame: dict) -> None:
        if self.outbox.pop(frame["client_id"], None) is not None:
            self.gen.tally.acknowledged(frame["client_id"])

    async def close(self) -> None:
        self.closed_for_good = True
        if self.ws is not None:
            await self.ws.close()

    # hooks
    def url(self) -> str: ...
    def origin(self) -> str | None: ...
    def headers(self) -> dict: return {}
    def hello(self) -> dict: ...
    async def on_welcome(self, welcome: dict) -> None: ...
    async def after_resend(self) -> None: ...
    def on_frame(self, frame: dict) -> None: ...


class Visitor(Endpoint):
    def __init__(self, gen: Gen) -> None:
        super().__init__(gen)
        self.token: str | None = None
        self.conversation: int | None = None
        self.last_seq = 0

    def url(self) -> str:
        return f"{self.base}/ws/widget/{self.gen.site_key}/"

    def origin(self) -> str | None:
        return self.gen.origin

    def hello(self) -> dict:
        frame: dict = {"type": "hello", "v": 2, "token": self.token}
        if self.conversation is not None:
            frame["resume"] = {"conversation": self.conversation, "last_seq": self.last_seq}
        return frame

    async def on_welcome(self, welcome: dict) -> None:
        self.token = welcome.get("token")
        for m in welcome.get("messages") or []:
            self.on_message(m)
        if welcome.get("more_after"):  # a resume longer than the welcome: page on, as the widget
            await self.page_forward()

    async def page_forward(self) -> None:
        await self.ws.send(json.dumps({"type": "history", "ref": "forward",
                                       "after_seq": self.last_seq, "limit": 200}))

    def on_frame(self, frame: dict) -> None:
        kind = frame.get("type")
        if kind == "message":
            self.on_message(frame["message"])
        elif kind == "history":
            for m in frame.get("messages") or []:
                self.on_message(m)
            if frame.get("ref") == "forward" and frame.get("has_more"):
                self.gen.spawn(self.page_forward())
        elif kind == "ack":
            self.conversation = frame["conversation"]
            self.on_ack(frame)
        elif kind == "error":
            self.gen.tally.error(frame.get("code", "?"))

    def on_message(self, m: dict) -> None:
        self.conversation = m["conversation"]
        self.last_seq = max(self.last_seq, m["seq"])
        if m["author"] == "agent" and "|" in m["body"]:
            sched, cid = m["body"].split("|", 1)
            self.gen.tally.delivered(cid, float(sched), self.gen.tally.a2v,
                                     (m["conversation"], m["seq"]))


class Agent(Endpoint):
    def __init__(self, gen: Gen, session: str | None) -> None:
        super().__init__(gen)
        self.session = session
        self.id = None
        self.conversations: dict[int, int] = {}  # id -> last seq held with none missing below
        self.ahead: dict[int, set[int]] = {}  # id -> seqs held above that (heard before a gap)

    def url(self) -> str:
        return f"{self.base}/ws/console/"

    def origin(self) -> str | None:
        return self.base.replace("ws://", "http://")

    def headers(self) -> dict:
        return {"Cookie": f"sessionid={self.session}"} if self.session else {}

    def hello(self) -> dict:
        return {"type": "hello", "v": 2}

    async def on_welcome(self, welcome: dict) -> None:
        self.id = (welcome.get("agent") or {}).get("id")

    async def after_resend(self) -> None:
        """Resume what we watch, after the outbox as the console does (its socket
        resends the outbox on welcome; threads are resumed once their lists load)."""
        for conv, last in list(self.conversations.items()):
            await self.ws.send(json.dumps({"type": "open", "conversation": conv,
                                           "after_seq": last, "limit": 200}))

    def on_frame(self, frame: dict) -> None:
        kind = frame.get("type")
        if kind == "message":
            self.on_message(frame["message"])
        elif kind == "history":
            for m in frame.get("messages") or []:
                self.on_message(m)
            conv = (frame.get("conversation") or {}).get("id")
            if frame.get("has_more") and conv in self.conversations:  # page on, as the console
                self.gen.spawn(self.ws.send(json.dumps({
                    "type": "open", "conversation": conv, "after_seq": self.conversations[conv],
                    "limit": 200})))
        elif kind == "conversation" and frame.get("event") in ("assigned", "transferred"):
            conv = frame["conversation"]
            if (conv.get("assignee") or {}).get("id") == self.id:
                # its stream on this socket starts after the assigning event (protocol.md)
                self.conversations.setdefault(conv["id"], conv.get("last_seq", 0))
        elif kind == "ack":
            self.on_ack(frame)
        elif kind == "error":
            self.gen.tally.error(frame.get("code", "?"))

    def on_message(self, m: dict) -> None:
        conv = m["conversation"]
        if conv in self.conversations:  # resume from the last seq with none missing below it
            ahead = self.ahead.setdefault(conv, set())
            ahead.add(m["seq"])
            while self.conversations[conv] + 1 in ahead:
                self.conversations[conv] += 1
                ahead.discard(self.conversations[conv])
        if m["author"] == "visitor" and "|" in m["body"] and conv in self.conversations:
            sched, cid = m["body"].split("|", 1)
            self.gen.tally.delivered(cid, float(sched), self.gen.tally.v2a,
                                     (m["conversation"], m["seq"]))


class Gen:
    def __init__(self, args) -> None:
        self.args = args
        self.urls = [u.rstrip("/") for u in args.url.split(",")]
        self._turn = 0
        self.site_key = args.site_key
        self.origin = args.origin
        self.tally = Tally()
        self.routed_s: float | None = None  # the desk's burst of new chats, all routed
        self.disconnects = 0
        self.visitors: list[Visitor] = []
        self.agents: list[Agent] = []
        self.readers: set[asyncio.Task] = set()

    def spawn(self, coro) -> None:
        """Run ``coro`` beside the reader that asked for it (a page of history)."""
        task = asyncio.ensure_future(coro)
        self.readers.add(task)
        task.add_done_callback(self.readers.discard)

    def next_url(self) -> str:
        """Spread sockets over the servers, as a load balancer would."""
        self._turn += 1
        return self.urls[self._turn % len(self.urls)]

    async def connect_all(self, endpoints: list[Endpoint], in_flight: int = 200) -> float:
        sem = asyncio.Semaphore(in_flight)

        async def one(e: Endpoint) -> None:
            async with sem:
                await e.open()
            self.readers.add(asyncio.ensure_future(e.run()))

        start = now()
        await asyncio.gather(*(one(e) for e in endpoints))
        return now() - start

    async def desk(self) -> None:
        """Agents online, every visitor's chat opened and routed."""
        sessions = self.args.sessions.split(",") if self.args.sessions else []
        self.agents = [Agent(self, sessions[i] if sessions else None)
                       for i in range(self.args.agents)]
        try:
            await asyncio.wait_for(self.connect_all(self.agents), 60)
        except TimeoutError:
            sys.exit(f"agents could not connect: {self.tally.http_status} {self.tally.errors}")
        self.visitors = [Visitor(self) for _ in range(self.args.visitors)]
        await self.connect_all(self.visitors)
        opened = now()
        await asyncio.gather(*(v.send(self.frame(v)) for v in self.visitors))
        deadline = now() + 60
        while now() < deadline and sum(len(a.conversations) for a in self.agents) < len(
                self.visitors):
            await asyncio.sleep(0.1)
        # every visitor's first message at once (a burst of new chats): until all routed
        self.routed_s = now() - opened
        print(json.dumps({"desk_routed_s": round(self.routed_s, 2)}), file=sys.stderr, flush=True)

    def frame(self, sender: Endpoint, conv: int | None = None, sched: float | None = None):
        """A send frame; with ``sched`` its delivery is tracked and timed."""
        cid = uuid.uuid4().hex[:16]
        if sched is None:
            body = "hello"
        else:
            body = f"{sched:.6f}|{cid}"
            self.tally.tracked.add(cid)
        frame = {"type": "send", "client_id": cid, "body": body}
        if conv is not None:
            frame["conversation"] = conv
        return frame

    async def steady(self, rate: float, seconds: float) -> dict:
        """Visitors and agents each send rate/2 msg/s in total, evenly spread."""
        tally = self.tally
        tally.v2a.clear()
        tally.a2v.clear()
        senders: list[tuple[Endpoint, int | None]] = [(v, None) for v in self.visitors]
        senders += [(a, c) for a in self.agents for c in list(a.conversations)]
        interval = len(senders) / rate
        start = now() + 0.5
        stop = start + seconds
        proc = psutil.Process()
        proc.cpu_percent()
        cpu_before = servers_cpu_seconds(self.args.server_pids)
        services_before = services_cpu_seconds()
        tally.recording = True

        async def loop(sender: Endpoint, conv: int | None, offset: float) -> None:
            t = start + offset
            while t < stop:
                await asyncio.sleep(max(0, t - now()))
                await sender.send(self.frame(sender, conv, sched=t))
                t += interval

        await asyncio.gather(*(loop(s, c, random.uniform(0, interval)) for s, c in senders))
        await asyncio.sleep(2)  # drain
        tally.recording = False
        cpu = proc.cpu_percent()
        cpu_after = servers_cpu_seconds(self.args.server_pids)
        server_cpu = None if None in (cpu_before, cpu_after) else cpu_after - cpu_before
        services = {name: spent - services_before.get(name, 0.0)
                    for name, spent in services_cpu_seconds().items()}
        delivered = len(tally.v2a) + len(tally.a2v)
        return {
            "offered_msgs_per_s": rate, "seconds": seconds, "senders": len(senders),
            "v2a_p50_ms": pct(tally.v2a, 50), "v2a_p99_ms": pct(tally.v2a, 99),
            "a2v_p50_ms": pct(tally.a2v, 50), "a2v_p99_ms": pct(tally.a2v, 99),
            "p99_ms": pct(tally.v2a + tally.a2v, 99), "p50_ms": pct(tally.v2a + tally.a2v, 50),
            "delivered": delivered,
            "generator_cpu_percent": cpu,
            # the servers' CPU (all their processes; 100 = one core) over the step and
            # its drain, and per message delivered: the cost that sets the capacity
            "server_cpu_percent": None if server_cpu is None else
            100 * server_cpu / (seconds + 2.5),
            "server_cpu_ms_per_msg": None if server_cpu is None else
            1000 * server_cpu / max(delivered, 1),
            # PostgreSQL's and Redis's share (all their processes on this machine)
            **{f"{name}_cpu_ms_per_msg": 1000 * spent / max(delivered, 1)
               for name, spent in services.items()},
        }

    async def settle(self, patience: float = 5, limit: float = 60) -> None:
        """Let in-flight messages land: stop once nothing is outstanding, or nothing
        moved for ``patience`` seconds (what is still outstanding then is lost)."""
        start = last_change = now()
        left = self.tally.outstanding()
        while left and now() - last_change < patience and now() - start < limit:
            await asyncio.sleep(0.2)
            current = self.tally.outstanding()
            if current != left:
                left, last_change = current, now()

    def totals(self) -> dict:
        t = self.tally
        return {"sent": t.sent, "acked": t.acked, "lost": t.outstanding(),
                "duplicated": t.duplicates, "redelivered": t.redelivered,
                "errors": t.errors, "http_status": t.http_status,
                "unacked": sum(len(e.outbox) for e in self.visitors + self.agents),
                "disconnects": self.disconnects, "desk_routed_s": self.routed_s}


async def scenario_busy(gen: Gen) -> dict:
    await gen.desk()
    await gen.steady(gen.args.rate, gen.args.warmup)  # not reported
    step = await gen.steady(gen.args.rate, gen.args.duration)
    await gen.settle()
    return {"step": step, **gen.totals()}


async def scenario_capacity(gen: Gen) -> dict:
    await gen.desk()
    await gen.steady(gen.args.rates[0], gen.args.warmup)
    steps = []
    for rate in gen.args.rates:
        step = await gen.steady(rate, gen.args.duration)
        steps.append(step)
        print(json.dumps({"progress": step}), file=sys.stderr, flush=True)
        if step["p99_ms"] is None or step["p99_ms"] > 100:
            break
        await gen.settle()
    await gen.settle()
    ok = [s for s in steps if s["p99_ms"] is not None and s["p99_ms"] <= 100]
    return {"steps": steps, "capacity_msgs_per_s": max(
        (s["delivered"] / s["seconds"] for s in ok), default=0), **gen.totals()}


def rss(pid: int) -> int:
    return psutil.Process(pid).memory_info().rss


def cpu_seconds(pid: int) -> float:
    t = psutil.Process(pid).cpu_times()
    return t.user + t.system


def servers_cpu_seconds(pids: list[int]) -> float | None:
    """CPU time of the server processes; None once one is gone (restarted)."""
    try:
        return sum(cpu_seconds(pid) for pid in pids)
    except psutil.NoSuchProcess:
        return None


SERVICES = {"postgres": "postgres", "redis-server": "redis"}


def services_cpu_seconds() -> dict[str, float]:
    """CPU time of PostgreSQL's and Redis's processes, by service: the database
    and layer work a message costs outside the daphnes (zero on the embedded stack)."""
    spent: dict[str, float] = {}
    for proc in psutil.process_iter(["name", "cpu_times"]):
        service = SERVICES.get(proc.info["name"] or "")
        if service and proc.info["cpu_times"] is not None:
            t = proc.info["cpu_times"]
            spent[service] = spent.get(service, 0.0) + t.user + t.system
    return spent


async def scenario_connections(gen: Gen) -> dict:
    pid = gen.args.server_pids[0]  # one process in this scenario
    before = rss(pid)
    visitors = [Visitor(gen) for _ in range(gen.args.visitors)]
    gen.visitors = visitors
    took = await gen.connect_all(visitors, in_flight=gen.args.in_flight)
    await asyncio.sleep(3)
    after = rss(pid)
    c0 = cpu_seconds(pid)
    await asyncio.sleep(10)
    idle_cpu = (cpu_seconds(pid) - c0) / 10 * 100
    welcomed = sum(1 for v in visitors if v.welcomes)
    await asyncio.gather(*(v.close() for v in visitors))  # all at once
    await asyncio.sleep(3)
    return {"connections": welcomed, "handshakes_per_s": welcomed / took,
            "rss_before_mb": before / 2**20, "rss_after_mb": after / 2**20,
            "kb_per_connection": (after - before) / 1024 / max(welcomed, 1),
            "idle_cpu_percent": idle_cpu, **gen.totals()}


class Progress:
    """One line of JSON a second on stderr while clients come back after a restart:
    how many are connected and which connection failures they met meanwhile."""

    def __init__(self, scenario: str, since: float) -> None:
        self.scenario, self.since, self.shown = scenario, since, since
        self.me = psutil.Process()
        self.me.cpu_percent()
        self.busiest = 0.0  # the generator's highest CPU share over one second

    def show(self, gen: Gen, **figures: int) -> None:
        if now() - self.shown < 1:
            return
        self.shown = now()
        cpu = self.me.cpu_percent()
        self.busiest = max(self.busiest, cpu)
        print(json.dumps({self.scenario: round(self.shown - self.since, 1), "connected": sum(
            e.connected.is_set() for e in gen.visitors + gen.agents), **figures,
            "generator_cpu": cpu, "errors": gen.tally.errors,
            "http_status": gen.tally.http_status}), file=sys.stderr, flush=True)


async def restart_server() -> tuple[float, float]:
    """Have the runner restart the server: when the old process was gone (every
    client lost its socket: what the scenarios time from) and when the new one
    answered its health check, both on ``now()``'s clock (system-wide)."""
    print("RESTART", flush=True)
    reply = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    dropped, healthy = map(float, reply.split())
    return dropped, healthy


async def scenario_storm(gen: Gen) -> dict:
    """Restart the server under the busy desk: when is everyone caught up?"""
    await gen.desk()
    await gen.steady(gen.args.rate, 3)
    load = asyncio.ensure_future(gen.steady(gen.args.rate, gen.args.duration))
    await asyncio.sleep(gen.args.duration / 3)
    restart = asyncio.ensure_future(restart_server())
    progress = Progress("storm", now())  # from the restart's start: the stop takes a while
    while True:
        await asyncio.sleep(0.05)
        progress.show(gen, outstanding=gen.tally.outstanding(),
                      outbox_visitors=sum(len(e.outbox) for e in gen.visitors),
                      outbox_agents=sum(len(e.outbox) for e in gen.agents),
                      agents_connected=sum(a.connected.is_set() for a in gen.agents))
        if not restart.done():
            continue
        everyone = all(e.connected.is_set() for e in gen.visitors + gen.agents)
        if everyone and not gen.tally.outstanding() and not any(
                e.outbox for e in gen.visitors + gen.agents):
            break
        if now() - restart.result()[0] > 60:
            break
    restarted, healthy = restart.result()
    caught_up = now() - restarted
    step = await load
    await gen.settle()
    return {"caught_up_s": caught_up, "healthy_s": healthy - restarted, "step": step,
            "generator_cpu_max": progress.busiest, **gen.totals()}


async def scenario_drop(gen: Gen) -> dict:
    """N idle widgets; the server restarts; how long until all are back?"""
    gen.visitors = [Visitor(gen) for _ in range(gen.args.visitors)]
    await gen.connect_all(gen.visitors, in_flight=gen.args.in_flight)
    restart = asyncio.ensure_future(restart_server())
    progress = Progress("drop", now())  # from the restart's start: the stop takes a while
    while not restart.done() or (
            any(v.welcomes < 2 for v in gen.visitors) and now() - restart.result()[0] < 60):
        await asyncio.sleep(0.05)
        progress.show(gen, back=sum(1 for v in gen.visitors if v.welcomes >= 2))
    restarted, healthy = restart.result()
    back = now() - restarted
    reconnected = sum(1 for v in gen.visitors if v.welcomes >= 2)
    await asyncio.gather(*(v.close() for v in gen.visitors))
    return {"reestablished_s": back, "healthy_s": healthy - restarted,
            "reconnected": reconnected, "generator_cpu_max": progress.busiest, **gen.totals()}


SCENARIOS = {"busy": scenario_busy, "capacity": scenario_capacity,
             "connections": scenario_connections, "storm": scenario_storm,
             "drop": scenario_drop}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("scenario", choices=SCENARIOS)
    p.add_argument("--url", required=True)
    p.add_argument("--site-key", default="bench")
    p.add_argument("--origin", default=None)
    p.add_argument("--sessions", default="")
    p.add_argument("--agents", type=int, default=20)
    p.add_argument("--visitors", type=int, default=1000)
    p.add_argument("--rate", type=float, default=400)
    p.add_argument("--rates", type=lambda s: [float(x) for x in s.split(",")],
                   default=[400, 800, 1200, 1600, 2000, 2400])
    p.add_argument("--duration", type=float, default=20)
    p.add_argument("--warmup", type=float, default=3, help="seconds at the first rate, "
                   "not reported, after the desk is set up")
    p.add_argument("--server-pids", type=lambda v: [int(x) for x in v.split(",") if x],
                   default=[], help="the server's processes: their memory and CPU")
    p.add_argument("--in-flight", type=int, default=200)
    args = p.parse_args()
    gen = Gen(args)
    result = asyncio.run(SCENARIOS[args.scenario](gen))
    print(json.dumps(result), flush=True)
    os._exit(0)  # don't wait for thousands of sockets to say goodbye


if __name__ == "__main__":
    main()
