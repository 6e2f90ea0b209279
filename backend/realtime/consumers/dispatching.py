"""A consumer's two inputs, its client's frames (from daphne) and its channel's
events (from the layer), handed to ``dispatch`` one at a time.

Channels' ``await_many_dispatch`` waits on both receives with ``asyncio.wait``
each time round: a waiter future, a done-callback added to and taken off both
tasks, two sets built, then a scan of both, for every frame and every event of
every socket. Here each receive's task reports itself once, when it is done, and
the loop waits on a future only when nothing is ready. With the embedded layer's
receive, a delivered event costs 13.5 µs here against 23.3 µs with Channels' loop
(``bench/fanout.py``, docs/performance.md).

The contract is Channels': one message at a time, in the order the receives
completed; a source's next receive starts only after its message was
dispatched; whatever ``dispatch`` or a receive raises ends the loop; on the way
out both receives are cancelled and awaited.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any


async def dispatch_many(sources: Sequence[Callable[[], Awaitable[Any]]],
                        dispatch: Callable[[Any], Awaitable[None]]) -> None:
    loop = asyncio.get_running_loop()
    ready: deque[int] = deque()  # sources whose receive is done, in the order they finished
    wake: asyncio.Future | None = None

    def finished(i: int, _task: asyncio.Task) -> None:
        ready.append(i)
        if wake is not None and not wake.done():
            wake.set_result(None)

    def start(i: int) -> asyncio.Task:
        task = loop.create_task(sources[i]())
        task.add_done_callback(partial(finished, i))
        return task

    tasks = [start(i) for i in range(len(sources))]
    try:
        while True:
            if not ready:
                wake = loop.create_future()
                await wake
                wake = None
            i = ready.popleft()
            await dispatch(tasks[i].result())
            tasks[i] = start(i)
    finally:
        for task in tasks:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
