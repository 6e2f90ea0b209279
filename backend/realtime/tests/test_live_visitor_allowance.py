"""One visitor's frame allowance, exact in every window, over real daphne on both stacks.

Three tabs of one visitor send messages as fast as they are let, each waiting
as told after ``rate_limited``, for three windows, starting just before a
wall-clock window boundary (where the sliding-window counter this replaced let
through up to twice its figure). No window of the stated length, and no stretch
of any length, may hold more stored messages than the allowance: burst 2 x 5,
refilled at 2 x 2 a second, so 10 + 4 x 2 = 18 in any 2 seconds.

The server decides each frame between the moment the test sent it and the
moment its answer arrived, on the same host's ``time.time()``, so a stored
message whose whole round trip fits in a stretch was decided in it: counting
those can never blame the server for a frame it did not allow there.
"""

from __future__ import annotations

import asyncio
import math
import time

import pytest

from papo.testing.client import Peer, client_id
from papo.testing.live import LivePapo

pytestmark = [pytest.mark.live, pytest.mark.security]

FRAME_BURST, FRAME_RATE, SOCKETS = 5, 2, 2
BURST, RATE = SOCKETS * FRAME_BURST, SOCKETS * FRAME_RATE  # the visitor's bucket
WINDOW = 2.0
CAP = BURST + RATE * WINDOW  # 18 in any 2 seconds
LIVE_ENV = {
    "PAPO_FRAME_BURST": str(FRAME_BURST),
    "PAPO_FRAME_RATE": str(FRAME_RATE),
    "PAPO_VISITOR_FRAME_SOCKETS": str(SOCKETS),
    "PAPO_FRAME_STRIKES": "100000",  # tabs are answered rate_limited here, never closed
    "PAPO_HANDSHAKES_PER_IP_PER_MINUTE": "1000",
}

Stored = tuple[float, float, int]  # sent, answered (time.time()), seq


async def keep_sending(tab: Peer, until: float) -> tuple[list[Stored], list[dict]]:
    """Messages one after another until ``until``, waiting ``retry_after`` when told;
    the stored ones and the refusals."""
    stored: list[Stored] = []
    refused: list[dict] = []
    while time.time() < until:
        sent = time.time()
        reply = await tab.request({"type": "send", "client_id": client_id(), "body": "flood"},
                                  timeout=10)
        answered = time.time()
        if reply["type"] == "ack":
            stored.append((sent, answered, reply["seq"]))
        else:
            assert reply.get("code") == "rate_limited", reply
            refused.append(reply)
            await asyncio.sleep(reply["retry_after"])
    return stored, refused


def most_within(stored: list[Stored], start: float, end: float) -> int:
    """Stored messages whose whole round trip lies in [start, end]: decided there."""
    return sum(1 for sent, answered, _ in stored if start <= sent and answered <= end)


async def test_one_visitors_tabs_flooding_store_no_more_than_the_allowance_in_any_window(
        live_papo: LivePapo):
    first, welcome = await live_papo.visitor()
    tabs = [first] + [(await live_papo.visitor(token=welcome["token"]))[0] for _ in range(2)]
    calm, _ = await live_papo.visitor()
    sent = time.time()  # the first message opens the conversation (and counts too)
    hi = await first.request({"type": "send", "client_id": client_id(), "body": "hi"})
    assert hi["type"] == "ack"
    opened = (sent, time.time(), hi["seq"])
    # 0.9 into a 2-second window of the wall clock: a fixed window's count resets soon
    await asyncio.sleep((0.9 * WINDOW - time.time() % WINDOW) % WINDOW)
    until = time.time() + 3 * WINDOW
    results = await asyncio.gather(*(keep_sending(tab, until) for tab in tabs))
    stored = sorted([opened, *(s for tab_stored, _ in results for s in tab_stored)])
    refused = [r for _, tab_refused in results for r in tab_refused]

    # every stretch [a sending, an answer]: at most burst + rate x its length (+1 µs:
    # the server's clock is read to the microsecond)
    for start in (sent for sent, _, _ in stored):
        for end in (answered for _, answered, _ in stored if answered >= start):
            assert most_within(stored, start, end) <= math.floor(
                BURST + RATE * (end - start + 1e-6)), (start, end)
        assert most_within(stored, start, start + WINDOW) <= CAP  # the stated figure
    # the flood was held back by the visitor's allowance, not by each tab's own bucket
    assert any("visitor" in r["message"] for r in refused), refused
    assert all(0 < r["retry_after"] <= 1 / FRAME_RATE + 0.01 for r in refused), [
        (r["message"], r["retry_after"]) for r in refused
        if not 0 < r["retry_after"] <= 1 / FRAME_RATE + 0.01]
    assert len(stored) >= BURST  # a fresh visitor's burst is there to take

    # The database holds exactly the acknowledged messages: seqs 1..n, and the
    # next message (once a frame has refilled) is n + 1.
    seqs = sorted(seq for _, _, seq in stored)
    assert seqs == list(range(1, len(stored) + 1))
    await asyncio.sleep(1 / RATE + 0.05)
    again = await tabs[1].request({"type": "send", "client_id": client_id(), "body": "after"})
    assert again["type"] == "ack" and again["seq"] == len(stored) + 1
    # another visitor on the same server was never held back
    assert (await calm.request({"type": "send", "client_id": client_id(),
                                "body": "calm"}))["type"] == "ack"
    for peer in [*tabs, calm]:
        await peer.close()
