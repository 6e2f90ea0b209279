"""The one way consumers reach the database: ``await in_db(fn)(*args)``.

Channels' ``database_sync_to_async`` runs every call of a process on one
shared thread. Each of Papo's calls is a self-contained transaction, so they
can run side by side: here on a pool of ``PAPO_DB_THREADS`` threads, each
with its own persistent connection. On PostgreSQL, one socket's commit no
longer waits for every other socket's round trips and WAL flushes (measured
in docs/performance.md); on SQLite, writers still queue on the database lock
(IMMEDIATE transactions) while readers go on in WAL mode.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

from channels.db import DatabaseSyncToAsync
from django.conf import settings


@cache
def _executor() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=settings.PAPO["DB_THREADS"],
                              thread_name_prefix="papo-db")


def in_db(fn: Callable[..., Any]) -> DatabaseSyncToAsync:
    """``fn`` as a coroutine function running on the database thread pool."""
    return DatabaseSyncToAsync(fn, thread_sensitive=False, executor=_executor())
