"""Faults injected while clients chat, on the scaled stack (two daphnes, PostgreSQL, Redis).

Each test runs a :class:`~papo.testing.chatters.Crowd` — visitors and an agent
chatting through the real protocol, with the real clients' outbox, reconnect
and resume rules — breaks something mid-chat, and then holds Papo to the same
bar: every acknowledged message is stored exactly once, every side is shown
every message of its conversation exactly once and in order, and everything
typed before the fault ended reaches both sides within a bound. The figures
(sent, acked, delivered, lost, duplicated, recovery time) are printed with
``pytest -s`` and on failure.

The Redis these tests kill is their own ``redis-server`` (never the shared one),
and the database goes away through a proxy of their own. The last test does the
same on the embedded stack, with SQLite locked by another writer.

What the operator reads is held to a bar too (``bus.outage``): each process logs
one line when Redis or the database is lost and one when it is back, with the
counts of what was refused or deferred meanwhile, nothing else at WARNING or
above, and no traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import psycopg
import pytest

from papo.testing.chatters import Crowd
from papo.testing.faults import RedisServer, TcpProxy
from papo.testing.live import HostPage, LivePapo, require_services
from papo.testing.server import Daphne, Stack

pytestmark = [pytest.mark.live, pytest.mark.services, pytest.mark.faults,
              pytest.mark.timeout(150)]

VISITORS = 8
EVERY = 0.3  # seconds between one client's messages
RECOVERY_BOUND = 15.0  # seconds from the end of a fault until everybody caught up
ENV = {"PAPO_CONNECTIONS_PER_IP": "1000", "PAPO_HANDSHAKES_PER_IP_PER_MINUTE": "100000"}


@dataclass
class World:
    redis: RedisServer
    stack: Stack
    live: LivePapo

    @property
    def database_url(self) -> str:
        return self.stack.env["DATABASE_URL"]


@pytest.fixture(scope="module")
def world():
    require_services()
    redis = RedisServer().start()
    stack = Stack.scaled(redis_url=redis.url)
    host = HostPage()
    try:
        stack.migrate()
        yield World(redis, stack, LivePapo(stack=stack, host=host))
    finally:
        host.close()
        stack.close()
        redis.close()


@contextlib.contextmanager
def two_daphnes(world: World, env: dict | None = None):
    servers = [Daphne(world.stack, {**ENV, **(env or {})}).start() for _ in range(2)]
    try:
        yield servers
    finally:
        for server in servers:
            server.resume()  # in case a test stopped it mid-way
            server.stop()


def crowd_on(world: World, servers: list[Daphne], **opts) -> Crowd:
    team = world.live.team("ana", max_concurrent=VISITORS + 5)
    return Crowd([s.ws for s in servers], site_key=team.site_key, origin=world.live.host.origin,
                 agent=team.agents["ana"], visitors=VISITORS,
                 database_url=world.database_url, **opts)


async def finish(crowd: Crowd, fault: str, **figures) -> dict:
    """Chat on a little, stop typing, let it settle, then check against the database."""
    await asyncio.sleep(1.5)
    await crowd.quiet()
    settled = await crowd.settle(RECOVERY_BOUND)
    report = await crowd.check()
    out = {"fault": fault, **report.figures, **figures, "settled_s": round(settled, 2)}
    print("FAULT", json.dumps(out, sort_keys=True))
    assert report.problems == [], (out, report.problems[:20])
    assert out["lost"] == 0 and out["duplicated"] == 0 and out["out_of_order"] == 0
    assert out["acked"] == out["sent"] and out["delivered"] == out["deliveries_expected"]
    return out


def one_outage(server: Daphne, dependency: str) -> dict[str, int]:
    """What ``server`` logged of an outage of ``dependency``: exactly one WARNING when it
    was lost and one when it was back, nothing else at WARNING or above, no traceback.
    Returns the counts of the back line ("...: 384 events not published, ...")."""
    log = server.run_log()
    assert "Traceback" not in log and "Exception inside application" not in log, log[-3000:]
    loud = re.findall(r"^\S+ \S+ (?:WARNING|ERROR|CRITICAL) +(.*)$", log, re.M)
    assert len(loud) == 2, loud
    lost, back = loud
    assert lost.startswith(f"papo.outage {dependency} lost: "), lost
    counts = re.fullmatch(rf"papo\.outage {dependency} is back after [\d.]+ s: (.+)", back)
    assert counts, back
    listed = [item.split(" ", 1) for item in counts.group(1).split(", ")]
    return {what: int(n) for n, what in listed if n.isdigit()}


async def reported_back(servers: list[Daphne], dependency: str) -> None:
    """Until every process said ``dependency`` is back (a second after it first worked)."""
    deadline = time.monotonic() + 5
    while not all(f"{dependency} is back after" in s.run_log() for s in servers):
        assert time.monotonic() < deadline, [s.run_log()[-2000:] for s in servers]
        await asyncio.sleep(0.1)


def total(reports: list[dict[str, int]], what: str) -> int:
    return sum(report.get(what, 0) for report in reports)


async def caught_up_within(crowd: Crowd, typed: list[str], what: str) -> float:
    """How long until every message in ``typed`` was acked and shown to both sides."""
    return await crowd.until(lambda: crowd.caught_up(typed), RECOVERY_BOUND, what)


def agent_connections(world: World, user_id: int) -> set[str]:
    with psycopg.connect(world.database_url, autocommit=True) as conn:
        return {r[0] for r in conn.execute(
            "SELECT channel_name FROM agents_agentconnection WHERE user_id = %s", (user_id,))}


def counter(world: World, name: str) -> int:
    """A counter as the operator reads it: ``manage.py papo_stats`` (kept in Redis)."""
    out = world.stack.manage("papo_stats")
    return int(re.search(rf"^{re.escape(name)}\s+(\d+)$", out, re.M).group(1))


# --- Redis ---------------------------------------------------------------------------------
@pytest.mark.parametrize("layer", ["pubsub", "core"])
async def test_redis_killed_and_restarted_empty(world, layer):
    with two_daphnes(world, {"PAPO_CHANNEL_LAYER": layer}) as servers:
        crowd = crowd_on(world, servers)
        try:
            await crowd.start()
            crowd.chatting(EVERY)
            await asyncio.sleep(2)
            acked = len(crowd.books.acks)
            world.redis.kill()
            await asyncio.sleep(2)
            # The database is the truth: what committed is acknowledged though unpublished.
            acked_during = len(crowd.books.acks) - acked
            # Everybody stops typing: no later message can reveal a gap, so what was
            # lost with the layer reaches the other side only through a resume.
            await crowd.quiet()
            world.redis.start()  # same port, empty
            typed = list(crowd.books.sent)
            recovery = await caught_up_within(crowd, typed, "caught up after Redis came back")
            await finish(crowd, f"redis killed (SIGKILL) 2 s, restarted empty ({layer} layer)",
                         acked_during_outage=acked_during, recovery_s=round(recovery, 2))
            await reported_back(servers, "Redis")
            reports = [one_outage(server, "Redis") for server in servers]
            print("FAULT outage reported", reports)
            if layer == "pubsub":
                # The sockets stayed open through the outage and sends were acknowledged;
                # when the layer reconnected, both processes had every client resume.
                assert acked_during > 0
                # (a client that resumed on the other process before that one noticed
                # the reconnect is asked once more)
                assert crowd.books.closes[4012] >= len(crowd.clients)
                for server in servers:
                    assert "pub/sub connection to Redis re-established" in server.run_log()
                    assert re.search(r"closing \d+ sockets with 4012", server.run_log())
                # what was stored meanwhile went unpublished, its frames uncounted
                assert total(reports, "events not published") > 0
                assert total(reports, "frames let through uncounted") > 0
            else:
                # The core layer's receive fails at once: each socket is closed (4012: no
                # more 1011 and a traceback each), handshakes are answered unavailable
                # (4013) until Redis is back, then clients resume.
                assert crowd.books.closes[1011] == 0
                assert total(reports, "sockets closed to resume") == crowd.books.closes[4012]
                assert crowd.books.closes[4012] == len(crowd.clients)
                assert total(reports, "handshakes answered unavailable") > 0
        finally:
            await crowd.stop()


async def test_handshakes_while_redis_is_down_are_told_to_come_back(world):
    """No verdict on a handshake without Redis (the address counters live there): the
    socket says so (``unavailable``, ``retry_after``) and closes 4013, the clients' cue
    to back off; no HTTP 500, no traceback. Once Redis is back, so are they."""
    with two_daphnes(world) as (a, _b):
        team = world.live.team("ana")
        world.redis.kill()
        try:
            for peer in (await world.live.widget(team.site_key, server=a),
                         await world.live.console(team.agents["ana"], server=a, hello=False)):
                refused = await peer.expect("error")
                assert refused["code"] == "unavailable" and refused["retry_after"] > 0
                assert await peer.closed() == 4013
        finally:
            world.redis.start()
        deadline = time.monotonic() + RECOVERY_BOUND
        while True:  # the first handshakes after the restart may still meet a dead connection
            peer = await world.live.widget(team.site_key, server=a)
            await peer.send({"type": "hello", "v": 1})
            first = await peer.next()
            if first["type"] == "welcome" or time.monotonic() > deadline:
                break
            await peer.closed()
        assert first["type"] == "welcome", first
        await peer.close()
        await reported_back([a], "Redis")
        assert one_outage(a, "Redis")["handshakes answered unavailable"] >= 2


# --- a daphne process stops --------------------------------------------------------------------
@pytest.mark.parametrize("signal", ["term", "kill"])
async def test_one_daphne_stopped_under_load(world, signal):
    ttl = 4.0
    env = {"PAPO_PRESENCE_TTL": str(ttl), "PAPO_SWEEP_SECONDS": "0.5",
           "PAPO_AGENT_GRACE_SECONDS": "60"}
    with two_daphnes(world, env) as (a, b):
        crowd = crowd_on(world, [a, b], ping_every=1.0)  # the agent starts on A
        try:
            await crowd.start()
            agent_id = crowd.agent.agent_id
            on_a = sum(c.servers[a.ws] for c in crowd.clients)
            (old,) = agent_connections(world, agent_id)
            crowd.chatting(EVERY)
            await asyncio.sleep(2)
            stopped = time.monotonic()
            await asyncio.to_thread(a.stop, signal)
            stop_took = time.monotonic() - stopped
            left = agent_connections(world, agent_id)
            typed = list(crowd.books.sent)
            # A's clients may not have noticed yet when it is gone: wait for their closes too.
            rejoined = await crowd.until(
                lambda: sum(crowd.books.closes.values()) >= on_a
                and all(c.ready for c in crowd.clients),
                RECOVERY_BOUND, "everybody back on B")
            recovery = await caught_up_within(crowd, typed, "caught up on B")
            if signal == "term":
                # Graceful: clients were told to resume (4012), presence removed before exit.
                assert crowd.books.closes[4012] == on_a
                assert old not in left
            else:
                # Killed: sockets just drop (no goodbye); the ghost presence expires after
                # the TTL. Usually 1006; a client may notice first by its own ping timeout.
                assert crowd.books.closes[4012] == 0, crowd.books.closes
                abrupt = sum(n for code, n in crowd.books.closes.items() if code != 1000)
                assert abrupt == on_a, crowd.books.closes
                assert old in left
                await crowd.until(lambda: old not in agent_connections(world, agent_id),
                                  ttl + 5, "the killed process's presence swept")
            # online through its one socket on B
            await crowd.until(lambda: len(agent_connections(world, agent_id) - {old}) == 1,
                              5, "the agent registered on B")
            await finish(crowd, f"daphne SIG{signal.upper()} under load",
                         clients_on_stopped=on_a, rejoined_s=round(rejoined, 2),
                         recovery_s=round(recovery, 2), typed_before_stop=len(typed),
                         exit_took_s=round(stop_took, 2))
        finally:
            await crowd.stop()


# --- the database ------------------------------------------------------------------------------
async def test_database_unavailable_for_a_few_seconds(world):
    parts = urlsplit(world.database_url)
    proxy = TcpProxy(parts.hostname, parts.port or 5432).start()
    user = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    via = world.database_url.replace(parts.netloc, f"{user}127.0.0.1:{proxy.port}", 1)
    try:
        with two_daphnes(world, {"DATABASE_URL": via}) as servers:
            crowd = crowd_on(world, servers)
            late = world.live.team("bruno").agents["bruno"]
            try:
                await crowd.start()
                # A console whose handshake passed just before the cut says hello during it.
                console = await world.live.console(late, server=servers[0], hello=False)
                crowd.chatting(EVERY)
                await asyncio.sleep(2)
                proxy.cut()
                await asyncio.sleep(0.5)  # what was on its way before the cut lands
                acked, errors = len(crowd.books.acks), crowd.books.errors["unavailable"]
                await console.send({"type": "hello", "v": 1})
                assert (await console.expect("error"))["code"] == "unavailable"
                assert await console.closed() == 4013  # reconnect with backoff, not hang
                await asyncio.sleep(2.5)
                acked_during = len(crowd.books.acks) - acked
                unavailable = crowd.books.errors["unavailable"] - errors
                links_before = proxy.accepted
                proxy.restore()
                typed = list(crowd.books.sent)
                recovery = await caught_up_within(crowd, typed, "caught up after the database")
                await finish(crowd, "database cut for 3 s", acked_during_outage=acked_during,
                             unavailable_errors=crowd.books.errors["unavailable"],
                             refused_db_connects=proxy.refused,
                             recovery_s=round(recovery, 2), typed_before_restore=len(typed))
                # Sends were refused with a clear error, not acknowledged...
                assert acked_during == 0 and unavailable > 0
                # ...and the persistent connections were replaced once it was back.
                assert proxy.accepted > links_before
                await reported_back(servers, "Database")
                reports = [one_outage(server, "Database") for server in servers]
                print("FAULT outage reported", reports)
                # every unavailable error sent (the crowd's and the late console's hello)
                assert total(reports, "frames answered unavailable") + total(
                    reports, "handshakes answered unavailable") == (
                    crowd.books.errors["unavailable"] + 1)
            finally:
                await crowd.stop()
    finally:
        proxy.close()


# --- a slow consumer -----------------------------------------------------------------------------
async def test_slow_consumer_drops_are_filled_from_the_database(world):
    # The core layer holds each process's events in a capped Redis list; a process
    # that stalls (SIGSTOP: a long GC pause, a starved CPU) overflows it and the
    # layer drops events for its sockets. 50 holds the crowd's start (each new chat's
    # created/assigned events carry no seq, and a console does not learn of a dropped
    # one until it reconnects). A 5 s stall overflows it with what A alone publishes
    # meanwhile (A's four visitors' messages to the agent on B: ~13 a second); a
    # shorter one relied on B being slow to drain its backlog after the stall, which
    # it no longer is since sends are stored in batches (realtime.sending).
    env = {"PAPO_CHANNEL_LAYER": "core", "PAPO_CHANNEL_CAPACITY": "50"}
    with two_daphnes(world, env) as (a, b):
        crowd = crowd_on(world, [b, a])  # the agent (and half the visitors) on B
        try:
            await crowd.start()
            filled = await asyncio.to_thread(counter, world, "gap.filled")
            crowd.chatting(EVERY)
            await asyncio.sleep(1.5)
            b.pause()
            await asyncio.sleep(5)
            b.resume()
            typed = list(crowd.books.sent)
            recovery = await caught_up_within(crowd, typed, "caught up after the stall")
            out = await finish(crowd, "one process stalled 5 s, channel capacity 50",
                               recovery_s=round(recovery, 2))
            gaps = await asyncio.to_thread(counter, world, "gap.filled") - filled
            print("FAULT gap.filled +", gaps)
            assert gaps > 0, out
            assert "over capacity" in a.log(None) + b.log(None)  # the layer did drop
            # which of B's sockets lost an event is chance (the widgets' or the console's)
            assert re.search(r"seq gap on conversation \d+ \(\d+\.\.\d+\) filled from the "
                             r"database for (console|widget)", b.log(None))
        finally:
            await crowd.stop()


# --- the embedded stack: SQLite locked by someone else ------------------------------------------
async def test_sqlite_locked_for_a_few_seconds():
    """One process on SQLite: a writer outside Papo holds the database for 3 s. SQLite's
    busy timeout makes the sends wait, then succeed: nothing lost, nothing doubled. The
    waiting happens off the event loop, also with sends into open chats stored on the
    loop (``PAPO_DB_ON_LOOP``, ``bus.db.here``), so a socket is answered meanwhile."""
    import sqlite3
    from pathlib import Path

    stack = Stack.embedded()
    host = HostPage()
    try:
        stack.migrate()
        live = LivePapo(stack=stack, host=host)
        path = Path(stack.env["PAPO_VAR_DIR"]) / "papo.sqlite3"
        team = live.team("ana", max_concurrent=VISITORS + 5)
        server = Daphne(stack, {**ENV, "PAPO_DB_ON_LOOP": "1"}).start()
        crowd = Crowd([server.ws], site_key=team.site_key, origin=host.origin,
                      agent=team.agents["ana"], visitors=VISITORS,
                      database_url=f"sqlite:///{path}")
        try:
            await crowd.start()
            probe, _ = await live.visitor(team.site_key, server=server)
            crowd.chatting(EVERY)
            await asyncio.sleep(2)
            lock = sqlite3.connect(path, isolation_level=None)
            lock.execute("BEGIN EXCLUSIVE")
            await asyncio.sleep(0.5)
            acked = len(crowd.books.acks)
            asked = time.monotonic()
            await probe.send({"type": "ping", "ref": "alive"})
            await probe.expect("pong", timeout=1, ref="alive")
            answered_in = time.monotonic() - asked
            await asyncio.sleep(2.5 - answered_in)
            acked_during = len(crowd.books.acks) - acked
            lock.execute("ROLLBACK")
            lock.close()
            typed = list(crowd.books.sent)
            recovery = await caught_up_within(crowd, typed, "caught up after the lock")
            await finish(crowd, "SQLite locked by another writer for 3 s",
                         acked_during_lock=acked_during, recovery_s=round(recovery, 2))
            assert answered_in < 0.5  # the event loop went on meanwhile
            await probe.close()
            assert acked_during == 0  # the writes waited for the lock...
            assert not crowd.books.errors  # ...and none failed
            # a lock within the busy timeout is no outage: nothing to tell the operator
            assert not re.search(r"^\S+ \S+ (WARNING|ERROR|CRITICAL) |Traceback",
                                 server.run_log(), re.M)
        finally:
            await crowd.stop()
            server.stop()
    finally:
        host.close()
        stack.close()
