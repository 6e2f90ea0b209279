"""The one way consumers reach the database: ``await in_db(fn)(*args)``.

Channels' ``database_sync_to_async`` runs every call of a process on one
shared thread. Each of Papo's calls is a self-contained transaction, so they
can run side by side: here on a pool of ``PAPO_DB_THREADS`` threads, each
with its own persistent connection. On PostgreSQL, one socket's commit no
longer waits for every other socket's round trips and WAL flushes (measured
in docs/performance.md); on SQLite, writers still queue on the database lock
(IMMEDIATE transactions) while readers go on in WAL mode.

Health checks: with ``CONN_HEALTH_CHECKS`` Django pings the server
(``SELECT 1``) on the first query after every ``close_old_connections()``,
which Channels calls around each hop: one extra round trip per frame. A
connection that served a query less than ``HEALTHY_FOR`` seconds ago is taken
as healthy and skips the ping; one idle for longer is checked as usual. If it
broke in between, that one call fails with ``unavailable`` (the client
retries with the same client id) and the broken connection is closed after it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

from channels.db import DatabaseSyncToAsync
from django.conf import settings
from django.db import connections

HEALTHY_FOR = 5.0  # seconds

_last_ok = threading.local()


@cache
def _executor() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=settings.PAPO["DB_THREADS"],
                              thread_name_prefix="papo-db")


def _run(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Runs after the hop's close_old_connections(): skip the ping if recently fine."""
    if time.monotonic() - getattr(_last_ok, "at", float("-inf")) < HEALTHY_FOR:
        for conn in connections.all(initialized_only=True):
            if conn.connection is not None and not conn.errors_occurred:
                conn.health_check_done = True
    result = fn(*args, **kwargs)
    _last_ok.at = time.monotonic()
    return result


@cache
def _hop() -> DatabaseSyncToAsync:
    """One wrapper for every call (building a SyncToAsync is not free: it showed
    in the handshake profile when made per call)."""
    return DatabaseSyncToAsync(_run, thread_sensitive=False, executor=_executor())


def in_db(fn: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    """``fn`` as a coroutine function running on the database thread pool."""

    async def call(*args: Any, **kwargs: Any) -> Any:
        return await _hop()(fn, *args, **kwargs)

    return call
