"""Papo's channel layers against a real Redis. Pub/sub: consumer channels stay
in their process, groups cross processes, and a frame's events keep their
order. Core: a consumer that waits longer than one blocking pop still gets its
events."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import redis
from channels_redis.utils import _consistent_hash

from bus.layers import CoreChannelLayer, PubSubChannelLayer
from papo.testing.live import require_services
from papo.testing.server import REDIS_URL

pytestmark = [pytest.mark.services]


@pytest.fixture
async def layers():
    """Two layers on one Redis, as two processes would have; the second has two
    shards (the same server twice), so a batch of sends spans shards."""
    require_services()
    prefix = f"t{uuid.uuid4().hex[:8]}"
    other_db = REDIS_URL.rsplit("/", 1)[0] + "/4"  # pub/sub ignores the db: a second shard
    made = [PubSubChannelLayer(hosts=[REDIS_URL], prefix=prefix),
            PubSubChannelLayer(hosts=[REDIS_URL, other_db], prefix=prefix)]
    yield (*made, prefix)
    for layer in made:
        await layer.flush()


def redis_channels(prefix: str) -> set[str]:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        return {c.decode() for c in client.pubsub_channels(f"{prefix}*")}
    finally:
        client.close()


async def receive(layer, channel: str) -> dict:
    return await asyncio.wait_for(layer.receive(channel), 5)


async def test_consumer_channels_are_local_and_groups_cross_processes(layers):
    a, b, prefix = layers
    on_a = await a.new_channel()
    on_b = await b.new_channel()
    await a.group_add("chat", on_a)
    await b.group_add("chat", on_b)

    # Redis holds the group's subscription only, not one per socket
    assert redis_channels(prefix) == {f"{prefix}__group__chat"}

    await a.group_send("chat", {"type": "papo.event", "n": 1})
    assert (await receive(a, on_a))["n"] == 1
    assert (await receive(b, on_b))["n"] == 1

    # a consumer's own channel: delivered in its process; elsewhere an error, not a loss
    await a.send(on_a, {"type": "papo.event", "n": 2})
    assert (await receive(a, on_a))["n"] == 2
    with pytest.raises(ValueError, match="not in this process"):
        await a.send(on_b, {"type": "papo.event", "n": 3})

    # leaving: the group's subscription goes with its last member
    await a.group_discard("chat", on_a)
    await b.group_discard("chat", on_b)
    await asyncio.sleep(0.1)
    assert redis_channels(prefix) == set()


async def test_group_send_many_keeps_each_groups_order_across_shards(layers):
    a, b, prefix = layers
    # two groups on each of b's shards
    names = [f"g{i}" for i in range(64)]
    groups = [g for shard in (0, 1) for g in [
        n for n in names if _consistent_hash(f"{prefix}__group__{n}", 2) == shard][:2]]
    assert len(groups) == 4
    channels = {}
    for group in groups:
        channels[group] = await a.new_channel()
        await a.group_add(group, channels[group])
    await asyncio.sleep(0.1)  # subscriptions confirmed before anything is published
    sends = [(group, {"type": "papo.event", "group": group, "n": n})
             for n in range(20) for group in groups]
    await b.group_send_many(sends)  # from the other "process", over two shards
    for group, channel in channels.items():
        got = [await receive(a, channel) for _ in range(20)]
        assert [m["n"] for m in got] == list(range(20))
        assert {m["group"] for m in got} == {group}


async def test_core_layer_consumer_idle_past_a_blocking_pop_still_receives():
    """redis-py 8's default 5 s read timeout fired as ``BZPOPMIN`` (5 s) returned
    empty: the waiting consumer raised ``TimeoutError`` instead of receiving."""
    require_services()
    layer = CoreChannelLayer(hosts=[REDIS_URL], prefix=f"t{uuid.uuid4().hex[:8]}")
    try:
        channel = await layer.new_channel()
        waiting = asyncio.ensure_future(layer.receive(channel))
        await asyncio.sleep(layer.brpop_timeout + 1.5)  # one empty pop, into the next
        assert not waiting.done(), waiting
        await layer.send(channel, {"type": "papo.event", "n": 1})
        assert (await asyncio.wait_for(waiting, 5))["n"] == 1
    finally:
        await layer.flush()
