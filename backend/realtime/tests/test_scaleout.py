"""Two daphne processes over real PostgreSQL and Redis serve one site together.

A visitor on one process and an agent on the other chat both ways; routing,
presence, the queue and rate limits agree across processes; a process that
dies leaves no ghost presence and no stuck assignment. Two deployments
sharing one Redis never see each other's chats.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from papo.testing.client import client_id
from papo.testing.live import start_live, stop_live

pytestmark = [pytest.mark.live, pytest.mark.services]

ENV = {
    "PAPO_HEARTBEAT_SECONDS": "1",
    "PAPO_PRESENCE_TTL": "3",
    "PAPO_AGENT_GRACE_SECONDS": "4",
    "PAPO_SWEEP_SECONDS": "0.5",
    "PAPO_CONNECTIONS_PER_IP": "400",
    "PAPO_HANDSHAKES_PER_IP_PER_MINUTE": "2000",
    # a deliberately tiny Redis pool: hundreds of sockets must wait for it, not fail
    "PAPO_REDIS_POOL_SIZE": "4",
}


@pytest.fixture(scope="module")
def pair():
    live = start_live("scaled", processes=2, env=ENV)
    yield live
    stop_live(live)


async def test_visitor_on_a_and_agent_on_b_chat_both_ways(pair):
    a, b = pair.servers
    team = pair.team("ana")
    console = await pair.console(team.agents["ana"], server=b)
    visitor, _ = await pair.visitor(team.site_key, server=a)
    ack = await visitor.request({"type": "send", "client_id": client_id(), "body": "via A"})
    conv = ack["conversation"]
    # routed across processes: the agent on B is online for the visitor on A
    assigned = await console.expect("conversation", event="assigned")
    assert assigned["conversation"]["assignee"]["id"] == team.agents["ana"]["id"]
    assert (await console.expect("message", body="via A"))["message"]["seq"] == 1
    await console.request({"type": "send", "conversation": conv, "client_id": client_id(),
                           "body": "via B"})
    assert (await visitor.expect("message", body="via B"))["message"]["author"] == "agent"
    await visitor.close()
    await console.close()


async def test_queue_and_presence_are_shared(pair):
    a, b = pair.servers
    team = pair.team("ana", "bruno")
    ana = await pair.console(team.agents["ana"], server=a)
    assert (await ana.request({"type": "presence", "status": "away"}))["status"] == "away"
    bruno = await pair.console(team.agents["bruno"], server=b)
    bruno_id = team.agents["bruno"]["id"]
    bruno_seen = await ana.expect("presence", where=lambda f: f["agent"]["id"] == bruno_id)
    assert bruno_seen["agent"]["status"] == "online"  # B's agent, seen from A
    await bruno.request({"type": "presence", "status": "away"})
    visitor, welcome = await pair.visitor(team.site_key, server=b)
    assert welcome["agents_online"] is False  # both away
    ack = await visitor.request({"type": "send", "client_id": client_id(), "body": "queued"})
    queued = await ana.expect("conversation", event="created")  # ana is on the other process
    assert queued["conversation"]["status"] == "waiting"
    listed = await ana.request({"type": "list", "box": "queue", "site": team.site_key})
    assert [c["id"] for c in listed["conversations"]] == [ack["conversation"]]
    # bruno comes back online on B: the queued chat is his, and A's console sees it leave
    await bruno.request({"type": "presence", "status": "online"})
    assert (await visitor.expect("availability"))["agents_online"] is True
    taken = await ana.expect("conversation", event="assigned")
    assert taken["conversation"]["assignee"]["id"] == team.agents["bruno"]["id"]
    listed = await ana.request({"type": "list", "box": "queue", "site": team.site_key})
    assert listed["conversations"] == []
    for peer in (ana, bruno, visitor):
        await peer.close()


async def test_connection_limits_count_across_processes(pair):
    a, b = pair.servers
    team = pair.team("ana")
    limit_env = {"PAPO_CONNECTIONS_PER_IP": "4"}
    # two extra processes with a low cap, sharing the same Redis counters
    from papo.testing.server import Daphne

    c = Daphne(pair.stack, {**ENV, **limit_env}).start()
    d = Daphne(pair.stack, {**ENV, **limit_env}).start()
    try:
        await asyncio.sleep(1)  # sockets from earlier tests are released
        held = []
        for server in (c, d, c, d):
            peer, _ = await pair.visitor(team.site_key, server=server)
            held.append(peer)
        for server in (c, d):
            extra = await pair.widget(team.site_key, server=server)
            assert (await extra.expect("error"))["code"] == "rate_limited"
            assert await extra.closed() == 4029
        for peer in held:
            await peer.close()
    finally:
        c.stop()
        d.stop()


async def test_a_killed_process_leaves_no_ghost_and_no_stuck_chat(pair):
    from papo.testing.server import Daphne

    team = pair.team("ana", "bruno")
    doomed = Daphne(pair.stack, ENV).start()
    survivor = pair.servers[1]
    ana = await pair.console(team.agents["ana"], server=doomed)
    visitor, _ = await pair.visitor(team.site_key, server=survivor)
    ack = await visitor.request({"type": "send", "client_id": client_id(), "body": "help"})
    conv = ack["conversation"]
    await ana.expect("conversation", event="assigned")
    bruno = await pair.console(team.agents["bruno"], server=survivor)
    doomed.stop("kill")  # no disconnect() runs: presence must expire by itself
    deadline = time.monotonic() + 30
    offline = requeued = False
    while time.monotonic() < deadline and not (offline and requeued):
        for frame in await bruno.quiet(0.3):  # bruno's heartbeats drive the sweep
            if (frame.get("type") == "presence"
                    and frame["agent"]["id"] == team.agents["ana"]["id"]
                    and frame["agent"]["status"] == "offline"):
                offline = True
            if (frame.get("type") == "conversation" and frame["conversation"]["id"] == conv
                    and frame["event"] == "assigned"
                    and frame["conversation"]["assignee"]["id"] == team.agents["bruno"]["id"]):
                requeued = True
    assert offline, "the killed process's agent never went offline"
    assert requeued, "the killed agent's chat was not handed to the agent still online"
    agents = await bruno.request({"type": "agents"})
    ana_now = next(x for x in agents["agents"] if x["id"] == team.agents["ana"]["id"])
    assert ana_now["status"] == "offline" and ana_now["open"] == 0
    history = await bruno.request({"type": "open", "conversation": conv})
    assert [m["event"] for m in history["messages"] if m["event"]] == [
        "assigned", "requeued", "assigned"]
    await visitor.close()
    await bruno.close()


async def test_hundreds_of_sockets_on_a_tiny_redis_pool_never_fail(pair):
    a, b = pair.servers
    team = pair.team("ana")
    console = await pair.console(team.agents["ana"], server=a)

    async def one(i):
        peer, _ = await pair.visitor(team.site_key, server=(a, b)[i % 2])
        ack = await peer.request({"type": "send", "client_id": client_id(), "body": f"v{i}"},
                                 timeout=30)
        await peer.close()
        return ack

    acks = await asyncio.gather(*(one(i) for i in range(200)))
    assert all(x["type"] == "ack" for x in acks)
    assert len({x["conversation"] for x in acks}) == 200
    for server in pair.servers:
        log = server.log()
        assert "MaxConnectionsError" not in log and "Traceback" not in log
    await console.close()


async def test_crossing_bursts_on_two_processes_keep_every_chat_whole(pair):
    """Both processes store their sockets' sends in batches (realtime.sending), into
    the same chats from both sides at once: twelve visitors on A, their agent on B
    answering all twelve while they type. No batch deadlocks or fails, and every
    chat holds each message once, at gapless seqs."""
    a, b = pair.servers
    team = pair.team("ana", max_concurrent=50)
    console = await pair.console(team.agents["ana"], server=b)
    chats = []
    for i in range(12):
        peer, _ = await pair.visitor(team.site_key, server=a)
        ack = await peer.request({"type": "send", "client_id": client_id(), "body": f"hi {i}"})
        chats.append((peer, ack["conversation"]))
    for _ in chats:  # each chat is ana's before she answers it
        await console.expect("conversation", event="assigned", timeout=10)
    rounds = 4

    async def visitor_types(peer):
        return [await peer.request({"type": "send", "client_id": client_id(),
                                    "body": f"v{k}"}, timeout=15) for k in range(rounds)]

    async def agent_answers_all():
        refs = set()
        for k in range(rounds):  # all at once: the console stores them side by side
            for _, conv in chats:
                refs.add(f"a{conv}-{k}")
                await console.send({"type": "send", "conversation": conv, "ref": f"a{conv}-{k}",
                                    "client_id": client_id(), "body": f"a{k}"})
        replies = []
        while len(replies) < len(refs):
            frame = await console.next(timeout=15)
            if frame.get("ref") in refs:
                replies.append(frame)
        return replies

    *typed, answered = await asyncio.gather(*(visitor_types(p) for p, _ in chats),
                                            agent_answers_all())
    acks = [x for burst in typed for x in burst] + answered
    assert [x for x in acks if x["type"] != "ack"] == []
    for _, conv in chats:
        history = await console.request({"type": "open", "conversation": conv,
                                         "after_seq": 0, "limit": 200})
        seqs = [m["seq"] for m in history["messages"]]
        assert seqs == list(range(1, len(seqs) + 1))  # no gap, no duplicate
        stored = {m["client_id"] for m in history["messages"] if m.get("client_id")}
        assert {x["client_id"] for x in acks if x["conversation"] == conv} <= stored
        assert sum(1 for x in acks if x["conversation"] == conv) == 2 * rounds
    for server in pair.servers:
        assert "Traceback" not in server.log()
    for peer, _ in chats:
        await peer.close()
    await console.close()


async def test_two_deployments_on_one_redis_never_hear_each_other():
    """Staging and production on one Redis: the same conversation and site ids (two
    fresh databases), and pub/sub channels that ignore the database number. Each
    deployment's channels carry its own prefix, so neither sees the other's chat."""
    deployments = [await asyncio.to_thread(start_live, "scaled") for _ in range(2)]
    peers = []
    try:
        chats = []
        for name, live in zip(("X", "Y"), deployments, strict=True):
            team = live.team("ana")
            console = await live.console(team.agents["ana"])
            visitor, _ = await live.visitor(team.site_key)
            peers += [console, visitor]
            ack = await visitor.request({"type": "send", "client_id": client_id(),
                                         "body": f"hello from {name}"})
            await console.expect("message", body=f"hello from {name}")
            chats.append((console, visitor, ack["conversation"]))
        (x_console, x_visitor, x_conv), (y_console, y_visitor, y_conv) = chats
        assert x_conv == y_conv  # the same ids: only the channel names keep them apart
        await x_console.request({"type": "send", "conversation": x_conv,
                                 "client_id": client_id(), "body": "for X only"})
        await x_visitor.expect("message", body="for X only")
        for peer in (y_console, y_visitor):
            got = peer.frames + await peer.quiet(1.0)  # what crossed over has arrived by now
            crossed = [f for f in got if "from X" in str(f) or "X only" in str(f)]
            assert crossed == [], crossed
    finally:
        for peer in peers:
            await peer.close()
        for live in deployments:
            await asyncio.to_thread(stop_live, live)
