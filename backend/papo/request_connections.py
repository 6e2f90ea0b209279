"""No database connection outlives the HTTP request that opened it.

Under ASGI, Django runs each request's sync code (a sync view, the session and
auth middleware) in a thread of that request's own. With persistent
connections (``CONN_MAX_AGE``, which the sockets' database pool wants: see
bus/db.py), the connection that thread opened stays open after the request:
``close_old_connections`` at the request's end keeps a young one. The thread
is gone, so nothing reuses or closes it, and on PostgreSQL a hundred page
loads held a hundred connections (the reports' benchmark ran out of them).

So at the end of every HTTP request, the connections of the thread that ran it
are closed, unless it is one of the pool's threads (``papo-db``), whose
connections are kept on purpose and checked before each use.
"""

from __future__ import annotations

import threading

from django.core.signals import request_finished
from django.db import connections

POOL_THREADS = "papo-db"  # bus.db's ThreadPoolExecutor thread_name_prefix


def close_request_connections(**_: object) -> None:
    if not threading.current_thread().name.startswith(POOL_THREADS):
        connections.close_all()


def install() -> None:
    request_finished.connect(close_request_connections,
                             dispatch_uid="papo.request_connections")
