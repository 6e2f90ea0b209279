"""How consumers reach the database: ``await in_db(fn)(*args)``, or on SQLite, for a
short transaction that must not wait, ``here(fn, *args)`` on the event loop itself.

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

On the event loop (``here``): a hop costs the thread pool's hand-over, a wake-up
of the loop through its self-pipe when the result is ready, and the two threads
taking turns at the GIL; on SQLite that is more CPU than a send's transaction
itself (docs/performance.md). So a batch of sends into open chats is stored on
the loop's own connection, which never waits for the write lock and never
checkpoints: anything that would make it wait goes to a hop.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

from channels.db import DatabaseSyncToAsync
from django.conf import settings
from django.db import OperationalError, connections

from . import outage

HEALTHY_FOR = 5.0  # seconds

_last_ok = threading.local()
log = logging.getLogger("papo.realtime")


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


class Busy(Exception):
    """The database cannot take this call on the event loop now: run it in a hop."""


# SQLite's result codes for a lock held elsewhere (the low byte of the extended code)
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6


class _Loop(threading.local):
    raw: Any = None  # the raw connection set up for the event loop
    commits = 0  # since the last checkpoint


_loop = _Loop()
_checkpoints: set[asyncio.Task] = set()


def here_possible() -> bool:
    """May one-transaction work run on the event loop itself (:func:`here`)?

    Only on SQLite, with the database not reported down: there a send's
    transaction is about a tenth of a millisecond on a local file, less than
    the hop to a thread and back costs in CPU (docs/performance.md)."""
    return _on_sqlite() and settings.PAPO["DB_ON_LOOP"] and not outage.DATABASE.down


@cache
def _on_sqlite() -> bool:
    return connections["default"].vendor == "sqlite"


def here(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` now, on the event loop's thread, on that thread's own connection.

    ``fn`` must be one short transaction, and nothing here may block the loop:

    - SQLite's write lock is never waited for (a busy timeout of 0 on this
      connection). If another thread or process holds it, the transaction fails at
      its start, having done nothing, and :class:`Busy` says to run it in a hop,
      where waiting blocks no socket.
    - The write-ahead log is not checkpointed by this connection's commits (a
      checkpoint writes and syncs pages: milliseconds). Every
      ``PAPO_DB_CHECKPOINT_EVERY`` commits a passive checkpoint runs in a hop instead.

    Django refuses the ORM under a running event loop (``SynchronousOnlyOperation``)
    because a blocking call would stall it; this one cannot block, so the running
    loop is hidden from that check while it runs."""
    loop = asyncio.get_running_loop()
    asyncio.events._set_running_loop(None)
    try:
        conn = connections["default"]
        conn.ensure_connection()
        if _loop.raw is not conn.connection:
            conn.connection.execute("PRAGMA busy_timeout = 0")
            conn.connection.execute("PRAGMA wal_autocheckpoint = 0")
            _loop.raw = conn.connection
        try:
            result = fn(*args)
        except OperationalError as exc:
            code = getattr(exc.__cause__, "sqlite_errorcode", 0) & 0xFF
            if code in (_SQLITE_BUSY, _SQLITE_LOCKED):
                raise Busy from exc
            raise
    finally:
        asyncio.events._set_running_loop(loop)
    _loop.commits += 1
    if _loop.commits >= settings.PAPO["DB_CHECKPOINT_EVERY"]:
        _loop.commits = 0
        task = loop.create_task(_checkpoint_in_a_hop())
        _checkpoints.add(task)
        task.add_done_callback(_checkpoints.discard)
    return result


async def _checkpoint_in_a_hop() -> None:
    """Copy what the log holds into the database file, as far as readers allow. One
    that fails is tried again after as many commits again."""
    try:
        await in_db(_checkpoint)()
    except Exception as exc:
        log.warning("checkpoint of the write-ahead log failed", exc_info=exc)


def _checkpoint() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
