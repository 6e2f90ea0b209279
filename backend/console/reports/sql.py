"""The SQL the figures need that Django does not spell alike on both stacks: the
seconds between two instants, and continuous percentiles.

Both stacks give the same numbers on the same rows, to the last bit:

- seconds: PostgreSQL's ``date_part('epoch', later - earlier)``, a double (its
  ``EXTRACT`` gives a numeric, and numerics made the reports' queries half again
  slower). The difference is an interval of whole days and the microseconds left
  (``justify_hours``), and ``date_part`` adds ``microseconds / 1e6`` and ``86400 *
  days`` in doubles. SQLite counts the exact microseconds between the two stored
  texts (``YYYY-MM-DD HH:MM:SS[.ffffff]``, UTC, as Django writes them), splits them
  the same way and does the same two double operations.
- percentiles: PostgreSQL's ``percentile_cont(p) WITHIN GROUP (ORDER BY v)``. SQLite
  has none: its window functions number each group's values (``ROW_NUMBER``, from 0)
  and count them, and the same arithmetic as PostgreSQL's (``lo + f * (hi - lo)``
  at ``p * (n - 1)``, in doubles) is done on the two values around that position.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Aggregate, FloatField, Func, QuerySet

FRACTIONS = {"median": 0.5, "p90": 0.9}
USECS_PER_DAY = 86_400_000_000


class Seconds(Func):
    """``later - earlier`` in seconds (a double), NULL if either is NULL."""

    output_field = FloatField()
    arity = 2

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, arg_joiner=" - ",
                           template="date_part('epoch', %(expressions)s)", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        (later, later_params), (earlier, earlier_params) = (
            compiler.compile(e) for e in self.get_source_expressions())

        def whole(col: str) -> str:  # the fraction cut off: SQLite would round it to ms
            return f"CAST(strftime('%%s', substr({col}, 1, 19)) AS INTEGER)"

        def micro(col: str) -> str:
            return f"CAST(substr({col} || '.000000', 21, 6) AS INTEGER)"

        us = (f"(({whole(later)} - {whole(earlier)}) * 1000000 + {micro(later)} - "
              f"{micro(earlier)})")
        # as PostgreSQL's interval: whole days, and the microseconds left (both truncated
        # toward zero, in C and in SQLite alike)
        sql = f"(({us} %% {USECS_PER_DAY}) / 1000000.0 + 86400.0 * ({us} / {USECS_PER_DAY}))"
        # each column is written four times above: its parameters too, in that order
        return sql, (*later_params, *earlier_params, *later_params, *earlier_params) * 2


class PercentileCont(Aggregate):
    """PostgreSQL's continuous percentile of ``expression`` at ``fraction``."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra) -> None:
        if fraction not in FRACTIONS.values():  # written into the SQL: our constants only
            raise ValueError(fraction)
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


def percentile_aggregates(name: str, value) -> dict:
    """``{name_median: ..., name_p90: ...}`` aggregates (PostgreSQL only)."""
    return {f"{name}_{label}": PercentileCont(value, p) for label, p in FRACTIONS.items()}


def native() -> bool:
    """Does this database compute percentiles itself (PostgreSQL)?"""
    return connection.vendor == "postgresql"


def window_percentiles(qs: QuerySet, key, value) -> dict:
    """SQLite: ``{key: {"median": x, "p90": y}}`` of ``value`` over ``qs``'s rows,
    grouped by ``key`` (NULL values left out, as ``percentile_cont`` does)."""
    inner = (qs.order_by().annotate(k=key, v=value).filter(v__isnull=False)
             .values_list("k", "v"))
    sql, params = inner.query.sql_with_params()
    picks = []
    for label, p in FRACTIONS.items():
        at = f"({p!r} * (n - 1))"
        lo = f"CAST({at} AS INTEGER)"  # floor: positions are never negative
        hi = f"({lo} + ({at} > {lo}))"  # ceil
        picks.append(f"MAX(CASE WHEN i = {lo} THEN v END) AS lo_{label}, "
                     f"MAX(CASE WHEN i = {hi} THEN v END) AS hi_{label}, "
                     f"MAX({at} - {lo}) AS f_{label}")
    out = ", ".join(f"lo_{label} + f_{label} * (hi_{label} - lo_{label})" for label in FRACTIONS)
    # Only our own constants and Django's compiled query go into the text; values are params.
    query = f"""
        WITH vals(k, v) AS ({sql}),
        ranked AS (SELECT k, v, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v) - 1 AS i,
                          COUNT(*) OVER (PARTITION BY k) AS n FROM vals),
        picked AS (SELECT k, {", ".join(picks)} FROM ranked GROUP BY k)
        SELECT k, {out} FROM picked"""  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return {row[0]: dict(zip(FRACTIONS, row[1:], strict=True)) for row in cursor.fetchall()}
