"""Filters for other libraries' loggers (``LOGGING`` in settings)."""

from __future__ import annotations

import logging


class CleanupAfterFailure(logging.Filter):
    """Drop psycopg's "error ignored terminating <Pipeline>: ..." warnings.

    psycopg logs one when a pipeline (or COPY) block is already raising and ending
    the block fails too: in practice the connection was lost mid-batch
    (``papo.prepared.run_prepared_many``). The error being raised is the one that
    matters, and Papo reports it once per outage (``bus.outage``: one line when the
    database is lost, one when it is back). Logged as well, this second error was an
    extra WARNING in that outage, more of them the more sends were in flight, which is
    the flooding the outage report exists to prevent.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str)
                    and record.msg.startswith("error ignored terminating"))
