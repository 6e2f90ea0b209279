"""The embedded server's event fan-out, without sockets: Channels' pieces against Papo's.

    python bench/fanout.py                      # 10,000 events to 3 consumers, best of 5
    python bench/fanout.py --events 2000 --consumers 20 --repeat 3

What every event a socket hears costs in the process before the socket's own
code sees it: the in-memory layer's ``group_send``, the consumer's channel
``receive`` and the loop that hands what both receives got to ``dispatch``.
Stock Channels (``InMemoryChannelLayer`` + ``await_many_dispatch``) is the
baseline, measured in the same run, against Papo's (``bus.layers.InMemoryLayer``
+ ``realtime.consumers.dispatching.dispatch_many``) and the two halves swapped
one at a time. Each consumer also has a client receive that never completes, as
a quiet socket's daphne queue does. Events are published one loop tick apart,
as the server's sends are. Printed: process CPU per delivered event (µs), best
of ``--repeat``, and its ratio to the baseline. Not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "backend"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "papo.settings")

from channels.layers import InMemoryChannelLayer  # noqa: E402
from channels.utils import await_many_dispatch  # noqa: E402

from bus.layers import InMemoryLayer  # noqa: E402
from realtime.consumers.dispatching import dispatch_many  # noqa: E402


async def fan_out(layer_class, dispatcher, events: int, consumers: int) -> float:
    """CPU seconds per delivered event."""
    loop = asyncio.get_running_loop()
    layer = layer_class(capacity=events + 1)
    names = [await layer.new_channel() for _ in range(consumers)]
    for name in names:
        await layer.group_add("chat", name)
    delivered, everything = 0, events * consumers
    all_in = loop.create_future()
    quiet = loop.create_future()  # the client's receive: nothing arrives

    async def client_receive():
        return await quiet

    async def dispatch(message: dict) -> None:
        nonlocal delivered
        delivered += 1
        if delivered == everything:
            all_in.set_result(None)

    loops = [asyncio.ensure_future(dispatcher(
        [client_receive, lambda name=name: layer.receive(name)], dispatch)) for name in names]
    await asyncio.sleep(0)
    started = time.process_time()
    for n in range(events):
        await layer.group_send("chat", {"type": "papo.event", "n": n, "text": "{}"})
        await asyncio.sleep(0)
    await all_in
    spent = time.process_time() - started
    for task in loops:
        task.cancel()
    await asyncio.gather(*loops, return_exceptions=True)
    return spent / everything


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--events", type=int, default=10_000)
    p.add_argument("--consumers", type=int, default=3)
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()

    class PapoLayerChannelsReceive(InMemoryLayer):
        receive = InMemoryChannelLayer.receive

    variants = [
        ("Channels: layer and dispatch loop (baseline)", InMemoryChannelLayer,
         await_many_dispatch),
        ("Papo's group_send, Channels' receive and loop", PapoLayerChannelsReceive,
         await_many_dispatch),
        ("Papo's layer, Channels' loop", InMemoryLayer, await_many_dispatch),
        ("Papo's group_send and loop, Channels' receive", PapoLayerChannelsReceive,
         dispatch_many),
        ("Papo: layer and dispatch loop", InMemoryLayer, dispatch_many),
    ]
    best: dict[str, float] = {}
    for _ in range(args.repeat):  # alternated, so a slow minute hits every variant
        for name, layer_class, dispatcher in variants:
            took = asyncio.run(fan_out(layer_class, dispatcher, args.events, args.consumers))
            best[name] = min(best.get(name, took), took)
    baseline = best[variants[0][0]]
    print(f"{args.events} events to {args.consumers} consumers, best of {args.repeat}:")
    for name, _, _ in variants:
        print(f"  {name}: {best[name] * 1e6:.1f} µs per delivered event "
              f"({best[name] / baseline:.2f} x the baseline)")


if __name__ == "__main__":
    main()
