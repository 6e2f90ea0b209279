"""``realtime.consumers.dispatching.dispatch_many``: a consumer's two receives, handed
to its dispatch one message at a time, in the order they arrived, and both
cancelled on the way out, whatever ended the loop."""

from __future__ import annotations

import asyncio

import pytest

from realtime.consumers.dispatching import dispatch_many


class Source:
    """A receive fed by the test; counts the receives under way."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue = asyncio.Queue()
        self.waiting = 0
        self.cancelled = 0

    async def __call__(self):
        self.waiting += 1
        try:
            return await self.queue.get()
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        finally:
            self.waiting -= 1


async def test_messages_go_one_at_a_time_each_source_in_its_order_receiving_once():
    client, channel = Source(), Source()
    seen, busy = [], []

    async def dispatch(message):
        busy.append(message)
        assert len(busy) == 1  # never two dispatches at once
        assert client.waiting + channel.waiting <= 2
        await asyncio.sleep(0.001)  # a dispatch that awaits: the next ones wait for it
        seen.append(message)
        busy.pop()
        if message == "stop":
            raise StopAsyncIteration

    loop_task = asyncio.ensure_future(dispatch_many([client, channel], dispatch))
    for message, source in [("frame 1", client), ("event 1", channel), ("event 2", channel),
                            ("frame 2", client)]:
        source.queue.put_nowait(message)
        await asyncio.sleep(0)
    await asyncio.sleep(0.05)
    # each source's in its order; "frame 2" may pass "event 2", whose receive starts
    # only once "event 1" was dispatched
    assert [m for m in seen if m.startswith("frame")] == ["frame 1", "frame 2"]
    assert [m for m in seen if m.startswith("event")] == ["event 1", "event 2"]
    assert len(seen) == 4
    assert (client.waiting, channel.waiting) == (1, 1)  # each has its next receive out
    channel.queue.put_nowait("stop")
    with pytest.raises(StopAsyncIteration):
        await loop_task
    assert seen[-1] == "stop"
    assert client.cancelled == 1 and client.waiting == channel.waiting == 0


async def test_a_receive_that_fails_ends_the_loop_and_cancels_the_other():
    client = Source()

    async def channel():
        raise ConnectionError("the layer lost Redis")

    async def dispatch(message):
        raise AssertionError("nothing to dispatch")

    with pytest.raises(ConnectionError):
        await dispatch_many([client, channel], dispatch)
    assert client.cancelled == 1


async def test_cancelling_the_loop_cancels_both_receives():
    client, channel = Source(), Source()
    loop_task = asyncio.ensure_future(dispatch_many([client, channel], lambda m: None))
    await asyncio.sleep(0)
    loop_task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await loop_task
    assert (client.cancelled, channel.cancelled) == (1, 1)
