"""Server-side prepared statements on Django's PostgreSQL connections.

Planning Papo's send statement takes longer than running it (0.84 ms against
0.48 ms, EXPLAIN ANALYZE), so it is prepared once per connection and its plan
reused. Django's cursors bind on the client and never prepare, and Django
opens its psycopg connections with ``prepare_threshold=None``, which also
turns psycopg's ``prepare=True`` into a silent no-op. Here the threshold is
lifted for the duration of one call (unless ``OPTIONS`` set one): exactly the
statements run here are prepared, and the ORM's queries go on as Django
configured them.

:func:`run_prepared_many` sends several statements in one pipeline: one
round trip for all of them instead of one each.

A prepared statement keeps the generic plan PostgreSQL made for it from the
tables as they were then, until an ANALYZE or VACUUM of one of them
invalidates it. On a young database (or with autovacuum off, or for the
minute before its first visit) that plan was made on nearly empty tables, and
a plan fit for a few hundred rows can read every row once there are tens of
thousands (seen: PostgreSQL's CPU per send doubled between 2,000 and 16,000
messages). So every ``REPLAN_EVERY`` calls here on a connection its statements are
deallocated (``DEALLOCATE ALL``, which psycopg notices and follows) and the
next run plans them afresh from the tables as they are now: one planning
(about a millisecond) per several thousand sends.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

_ONLY_WHEN_ASKED = 2**62  # a count no query reaches: only ``prepare=True`` prepares
REPLAN_EVERY = 5000  # calls on one connection between fresh plans


@contextmanager
def _preparing(using) -> Iterator[object]:
    """The raw psycopg connection, with ``prepare=True`` honoured meanwhile."""
    using.ensure_connection()
    raw = using.connection
    runs = getattr(raw, "papo_prepared_runs", 0)
    before = raw.prepare_threshold
    if before is None:
        raw.prepare_threshold = _ONLY_WHEN_ASKED
    try:
        with using.wrap_database_errors:
            if runs >= REPLAN_EVERY:
                # with a threshold set, psycopg sees this go by and forgets its names too
                raw.execute("DEALLOCATE ALL")
                runs = 0
            yield raw
    finally:
        raw.prepare_threshold = before
        raw.papo_prepared_runs = runs + 1


def run_prepared(sql: str, params: dict, using=connection) -> tuple | None:
    """Run ``sql`` prepared (autocommitted outside a transaction): its first row
    (Django's exceptions)."""
    import psycopg  # only on PostgreSQL

    with _preparing(using) as raw, psycopg.Cursor(raw) as cursor:
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchone()


def run_prepared_many(statements: list[tuple[str, dict]], using=connection) -> list[tuple | None]:
    """Run each ``(sql, params)`` prepared, all in one pipeline: the first row of each.

    Meant for inside a transaction (``transaction.atomic``): the first error
    aborts it, and the caller's atomic block rolls it back."""
    import psycopg  # only on PostgreSQL

    with _preparing(using) as raw:
        cursors = [psycopg.Cursor(raw) for _ in statements]
        try:
            with raw.pipeline():
                for cursor, (sql, params) in zip(cursors, statements, strict=True):
                    cursor.execute(sql, params, prepare=True)
                return [cursor.fetchone() for cursor in cursors]
        finally:
            for cursor in cursors:
                cursor.close()
