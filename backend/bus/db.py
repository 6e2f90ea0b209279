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

After a database failure anywhere in the process, a connection that last
worked before it is pinged at the start of its next hop, whatever that hop
runs: the sends' prepared statements go to psycopg directly, past Django's
own ping, and a connection that died in an outage would fail one more call
after the database came back (and count as a second outage).

Outages (``bus.outage``): while the database is reported down, a hop that
worked asks it once (``SELECT 1``) and reports it back if it answers (a hop
may have run no query, or run it on psycopg's cursor, which Django does not see).
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

from . import outage

HEALTHY_FOR = 5.0  # seconds

_last_ok = threading.local()


@cache
def _executor() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=settings.PAPO["DB_THREADS"],
                              thread_name_prefix="papo-db")


def _run(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Runs after the hop's close_old_connections(): skip the ping if recently fine,
    ping now if the database failed since this thread's connection last worked."""
    last_ok = getattr(_last_ok, "at", float("-inf"))
    if last_ok < outage.DATABASE.failed_at:
        for conn in connections.all(initialized_only=True):
            conn.close_if_health_check_failed()
    elif time.monotonic() - last_ok < HEALTHY_FOR:
        for conn in connections.all(initialized_only=True):
            if conn.connection is not None and not conn.errors_occurred:
                conn.health_check_done = True
    result = fn(*args, **kwargs)
    _last_ok.at = time.monotonic()
    if outage.DATABASE.down:
        _confirm_back()
    return result


def _confirm_back() -> None:
    conn = connections["default"]
    if conn.connection is not None and not conn.in_atomic_block and conn.is_usable():
        outage.DATABASE.ok()


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
