"""Counting and logging what was refused.

Counters live in the Django cache, so with Redis every process adds to the
same totals (``python backend/manage.py papo_stats`` prints them).
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from functools import cache

from papo.cache import shared

from . import outage

log = logging.getLogger("papo.security")

KEY = "papo:metric:{}"
NAMES = (
    "refused.origin", "refused.site", "refused.auth", "refused.handshake_rate",
    "refused.connections", "refused.token", "refused.identity", "limited.frames",
    "closed.abuse", "limited.http", "closed.hello_timeout", "bad_frames",
    "gap.filled", "gap.caught_up", "errors.server", "publish.failed", "closed.layer_reconnect",
    "refused.in_progress",  # over PAPO_HANDSHAKES_IN_PROGRESS_PER_IP (papo/accept_gate.py)
)


def count(name: str, n: int = 1) -> None:
    """Add to a counter. Never raises: with Redis down, the path being counted
    (an error reply, a gap fill) must still run; the count is what is lost, and
    the outage's report says how many were (``bus.outage``), not a line each.

    On the event loop the cache call (a Redis round trip) would stall every
    socket of the process, so there it is handed to a thread and not awaited."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        _add(name, n)
        return
    loop.run_in_executor(_executor(), _add, name, n)


@cache
def _executor() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="papo-metrics")


def _add(name: str, n: int) -> None:
    key = KEY.format(name)
    try:
        try:
            shared().incr(key, n)
        except ValueError:
            if not shared().add(key, n, timeout=None):
                shared().incr(key, n)
    except Exception as exc:
        if not outage.failed(exc, "counter updates lost", detail=name):
            log.warning("counter %s not counted", name, exc_info=exc)
    else:
        outage.REDIS.ok()


def value(name: str) -> int:
    return int(shared().get(KEY.format(name)) or 0)


def snapshot() -> dict[str, int]:
    return {name: value(name) for name in NAMES}


def refuse(name: str, message: str, *args: object) -> None:
    """Log a refusal (at WARNING, for the operator) and count it."""
    log.warning("refused (%s): " + message, name, *args)
    count(name)
