"""The embedded layer's group_send: every member gets the event, each its own copy,
and a member whose queue is full misses it without the others missing it; its
receive keeps one queue per channel while the channel is received from."""

from __future__ import annotations

import asyncio

import pytest

from bus.layers import InMemoryLayer


@pytest.fixture
def layer() -> InMemoryLayer:
    return InMemoryLayer(capacity=2)


async def members(layer: InMemoryLayer, n: int) -> list[str]:
    names = [await layer.new_channel() for _ in range(n)]
    for name in names:
        await layer.group_add("chat", name)
    return names


async def test_each_member_gets_its_own_copy_in_order(layer):
    a, b = await members(layer, 2)
    await layer.group_send("chat", {"type": "papo.event", "n": 1, "text": "x"})
    await layer.group_send("chat", {"type": "papo.event", "n": 2, "text": "y"})
    first_a, first_b = await layer.receive(a), await layer.receive(b)
    assert first_a == first_b == {"type": "papo.event", "n": 1, "text": "x"}
    first_a["n"] = 99  # a consumer changing what it got changes nobody else's
    assert first_b["n"] == 1
    assert (await layer.receive(a))["n"] == (await layer.receive(b))["n"] == 2


async def test_a_nested_message_is_copied_deeply(layer):
    a, b = await members(layer, 2)
    await layer.group_send("chat", {"type": "papo.access", "ids": [1, 2]})
    got_a = await layer.receive(a)
    got_a["ids"].append(3)
    assert (await layer.receive(b))["ids"] == [1, 2]


async def test_a_full_member_misses_the_event_and_the_others_do_not(layer):
    busy, idle = await members(layer, 2)
    for n in range(2):  # capacity 2: busy's queue is now full
        await layer.send(busy, {"type": "papo.event", "n": n})
    await layer.group_send("chat", {"type": "papo.event", "n": 7})
    assert (await layer.receive(idle))["n"] == 7
    assert [(await layer.receive(busy))["n"] for _ in range(2)] == [0, 1]
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05):
            await layer.receive(busy)


async def test_a_group_without_members_is_a_no_op(layer):
    await layer.group_send("nobody", {"type": "papo.event"})
    assert layer.channels == {}


async def test_a_channel_keeps_one_queue_while_received_from_and_loses_it_when_left(layer):
    a, b = await members(layer, 2)
    waiting = asyncio.ensure_future(layer.receive(a))
    await asyncio.sleep(0)
    queue = layer.channels[a]
    for n in range(3):
        await layer.group_send("chat", {"type": "papo.event", "n": n})
        assert (await waiting)["n"] == n
        waiting = asyncio.ensure_future(layer.receive(a))
        await asyncio.sleep(0)
        assert layer.channels[a] is queue  # emptied, not dropped: no queue per event
    waiting.cancel()  # the consumer ended
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert a not in layer.channels
    # b never received: its queue holds what was sent, until read or expired
    assert [(await layer.receive(b))["n"] for _ in range(2)] == [0, 1]
    assert b in layer.channels
