"""The queue and business hours over real daphne and real TCP, on both stacks.

What waiting visitors are told as the line moves, what a widget is told while
the site is closed and when it opens (noticed by the presence sweep that agents'
heartbeats run), and the visitor's presence the queue's hold reads.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from papo.testing.client import client_id

pytestmark = pytest.mark.live
# The sweep (agents' heartbeats) may run every half second across processes.
LIVE_ENV = {"PAPO_SWEEP_SECONDS": "0.5"}


def today_utc() -> str:
    return datetime.now(UTC).date().isoformat()


def tomorrow_midnight() -> str:
    today = datetime.now(UTC).date()
    return (datetime(today.year, today.month, today.day, tzinfo=UTC)
            + timedelta(days=1)).isoformat()


def site_with(live, **settings) -> tuple[str, str, dict]:
    """A fresh site (its name, key) with one agent of capacity one (not connected)."""
    name = "queue-" + uuid.uuid4().hex[:8]
    key = live.new_site(name, settings=settings)["key"] if settings else live.new_site(name)["key"]
    agent = live.new_agents("ana", site=name, max_concurrent=1)["ana"]
    return name, key, agent


async def waiting_visitor(live, key: str, body: str):
    """A visitor who wrote ``body``; their socket, and their conversation id."""
    peer, _ = await live.visitor(key)
    ack = await peer.request({"type": "send", "client_id": client_id(), "body": body})
    assert ack["type"] == "ack", ack
    return peer, ack["conversation"]


async def test_waiting_visitors_see_their_place_move_as_the_line_moves(live_papo):
    _, key, ana = site_with(live_papo)
    console = await live_papo.console(ana)
    peers = []
    try:
        first, first_conv = await waiting_visitor(live_papo, key, "I was first")
        peers.append(first)
        await first.expect("conversation", event="assigned")
        line = []
        for place, body in enumerate(("second", "third", "fourth"), 1):
            peer, conv = await waiting_visitor(live_papo, key, body)
            peers.append(peer)
            frame = await peer.expect("queue")
            assert frame == {"type": "queue", "conversation": conv, "position": place,
                             "beyond": False, "wait": None}  # no history yet: no estimate
            line.append((peer, conv))
        # a newcomer behind them tells nobody ahead anything
        late, late_conv = await waiting_visitor(live_papo, key, "fifth")
        peers.append(late)
        assert (await late.expect("queue"))["position"] == 4
        for peer, _ in line:
            assert [f for f in await peer.quiet(0.6) if f["type"] == "queue"] == []
        # Ana resolves the first chat: she gets the next, and everyone behind moves up, once
        resolved = await console.request({"type": "resolve", "conversation": first_conv})
        assert resolved["type"] == "ok", resolved
        (second, second_conv), (third, third_conv), (fourth, fourth_conv) = line
        assert (await second.expect("conversation", event="assigned"))["conversation"][
            "id"] == second_conv
        for peer, conv, place in ((third, third_conv, 1), (fourth, fourth_conv, 2),
                                  (late, late_conv, 3)):
            frame = await peer.expect("queue")
            assert (frame["conversation"], frame["position"]) == (conv, place)
            assert [f for f in await peer.quiet(0.6) if f["type"] == "queue"] == []
        assert [f for f in await second.quiet(0.3) if f["type"] == "queue"] == []
        # a visitor who comes back while waiting hears their place with the welcome
        again, welcome = await live_papo.visitor(key, token=welcome_token(late))
        peers.append(again)
        assert welcome["conversation"]["status"] == "waiting"
        assert (await again.next())["type"] == "queue"  # right after the welcome
    finally:
        for peer in peers:
            await peer.close()
        await console.close()


def welcome_token(peer) -> str:
    return next(f for f in peer.frames if f["type"] == "welcome")["token"]


async def test_closed_hours_route_nothing_until_the_site_opens(live_papo):
    name, key, ana = site_with(live_papo, time_zone="UTC", opening_hours="mon-sun 09:00-18:00",
                               holidays=today_utc())
    console = await live_papo.console(ana)
    console.start_heartbeat(0.3)  # the sweep rides on heartbeats
    visitor = None
    try:
        visitor, welcome = await live_papo.visitor(key)
        # closed: nobody to answer, and when the team is back (tomorrow 09:00 UTC)
        opens = tomorrow_midnight().replace("T00:00", "T09:00")
        assert welcome["agents_online"] is False
        assert (welcome["config"]["agents_online"], welcome["config"]["opens_at"]) == (
            False, opens)
        ack = await visitor.request({"type": "send", "client_id": client_id(),
                                     "body": "anyone there?"})
        conv = ack["conversation"]
        created = await console.expect("conversation", event="created")
        assert created["conversation"]["status"] == "waiting"
        # the agent is online, yet nothing is assigned (and no place in a line is given)
        late = await visitor.quiet(1.5)
        assert [f for f in late if f["type"] == "queue" or f.get("event") == "assigned"] == []
        # the holiday is taken off (in the admin): the next sweep opens the site
        live_papo.new_site(name, settings={"time_zone": "UTC", "opening_hours": "",
                                           "holidays": ""})
        told = await visitor.expect("availability", timeout=10)
        assert told == {"type": "availability", "agents_online": True, "opens_at": None}
        assigned = await visitor.expect("conversation", event="assigned", timeout=5)
        assert assigned["conversation"]["id"] == conv
        assert assigned["conversation"]["agent"]["name"] == "Ana"
    finally:
        if visitor is not None:
            await visitor.close()
        await console.close()


async def test_a_waiting_visitor_is_seen_until_their_widget_closes(live_papo):
    _, key, ana = site_with(live_papo)
    console = await live_papo.console(ana)
    try:
        busy, _ = await waiting_visitor(live_papo, key, "first")
        peer, conv = await waiting_visitor(live_papo, key, "second")
        assert (await peer.expect("queue"))["position"] == 1
        before = seen(live_papo, conv)
        await peer.close()
        # the socket's close writes when the visitor was last there
        deadline = datetime.now(UTC) + timedelta(seconds=5)
        while seen(live_papo, conv) == before:
            assert datetime.now(UTC) < deadline, "last_seen_at was not written on close"
        assert seen(live_papo, conv) > before
        await busy.close()
    finally:
        await console.close()


def seen(live, conversation: int) -> datetime:
    out = live.stack.manage("shell", "-c", (
        "import json; from conversations.models import Conversation; "
        f"c = Conversation.objects.select_related('visitor').get(pk={conversation}); "
        "print(json.dumps(c.visitor.last_seen_at.isoformat()))"))
    return datetime.fromisoformat(json.loads(out.strip().splitlines()[-1]))
