"""Socket limits over real daphne, on both stacks (Redis-backed counters on the scaled one)."""

from __future__ import annotations

import asyncio

import pytest

from papo.testing.client import client_id

pytestmark = [pytest.mark.live, pytest.mark.security]
LIVE_ENV = {
    "PAPO_FRAME_BURST": "5",
    "PAPO_FRAME_RATE": "2",
    "PAPO_FRAME_STRIKES": "5",
    "PAPO_CONNECTIONS_PER_IP": "6",
    "PAPO_HANDSHAKES_PER_IP_PER_MINUTE": "30",
}


async def test_a_flooding_socket_is_limited_then_closed_while_others_chat(live_papo):
    flood, _ = await live_papo.visitor()
    calm, _ = await live_papo.visitor()
    for _ in range(4):  # hello took one token of the burst of 5
        assert (await flood.request({"type": "ping"}))["type"] == "pong"
    limited = await flood.request({"type": "ping"})
    assert limited["code"] == "rate_limited" and 0 < limited["retry_after"] <= 1
    await asyncio.sleep(limited["retry_after"] + 0.05)
    assert (await flood.request({"type": "ping"}))["type"] == "pong"  # allowed again
    # the calm visitor on the same server is unaffected
    assert (await calm.request({"type": "send", "client_id": client_id(),
                                "body": "still fine"}))["type"] == "ack"
    for _ in range(12):  # ignoring rate_limited errors: persistent abuse
        await flood.send({"type": "ping"})
    assert await flood.closed() == 4008
    await calm.close()


async def test_connections_per_address_are_capped(live_papo):
    await asyncio.sleep(0.3)  # let the previous test's sockets be released
    held = []
    for _ in range(6):
        peer, _ = await live_papo.visitor()
        held.append(peer)
    extra = await live_papo.widget()
    refused = await extra.expect("error")
    assert refused["code"] == "rate_limited" and refused["retry_after"] > 0
    assert await extra.closed() == 4029
    await held.pop().close()
    await asyncio.sleep(0.3)
    again, welcome = await live_papo.visitor()
    assert welcome["type"] == "welcome"
    for peer in [*held, again]:
        await peer.close()


async def test_handshake_floods_are_refused(live_papo):
    await asyncio.sleep(0.3)
    codes = []
    # 30 a minute; the window is the wall-clock minute, which may roll over once mid-loop
    for _ in range(61):
        peer = await live_papo.widget()
        first = await peer.next() if await _refused_at_once(peer) else {"type": "open"}
        codes.append(first.get("code", first["type"]))
        if first["type"] == "error":
            assert await peer.closed() == 4029
            break
        await peer.close()
    assert codes[-1] == "rate_limited"


async def _refused_at_once(peer) -> bool:
    """A refused socket gets its error frame right after accept; an accepted one gets nothing."""
    try:
        peer._unread.append(await peer.next(timeout=0.05))
        return True
    except TimeoutError:
        return False

