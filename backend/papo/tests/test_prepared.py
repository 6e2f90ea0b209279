"""papo.prepared: statements really are prepared on Django's connections.

Django opens psycopg connections with ``prepare_threshold=None``, under which
psycopg ignores ``prepare=True``: the statement was planned afresh on every
send (0.84 ms of PostgreSQL's CPU each time) although the code asked for a
prepared one. These tests look at what the server holds.
"""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager

import dj_database_url
import pytest
from django.db import IntegrityError
from django.db.utils import ConnectionHandler

from papo import prepared
from papo.prepared import run_prepared, run_prepared_many
from papo.testing.live import require_services
from papo.testing.server import PG_URL

PREPARED = "SELECT generic_plans + custom_plans FROM pg_prepared_statements WHERE statement LIKE %s"


@pytest.fixture
def conn(django_db_blocker):
    """A PostgreSQL connection configured exactly as Django configures one from a URL."""
    require_services()
    with django_db_blocker.unblock():
        conn = ConnectionHandler({"default": dj_database_url.parse(PG_URL)})["default"]
        yield conn
        conn.close()


@contextmanager
def in_transaction(conn):
    """``transaction.atomic`` for a connection outside ``django.db.connections``."""
    conn.set_autocommit(False)
    try:
        yield
        conn.commit()
    except Exception:
        conn.rollback()
        raise
    finally:
        conn.set_autocommit(True)


def test_a_statement_is_prepared_once_and_its_plan_reused(conn):
    sql = "SELECT %(n)s::int + 1 AS papo_probe"
    for n in range(8):
        assert run_prepared(sql, {"n": n}, using=conn) == (n + 1,)
    with conn.cursor() as cursor:
        cursor.execute(PREPARED, ["%papo_probe%"])
        assert cursor.fetchall() == [(8,)]  # one statement on the server, run 8 times


def test_the_orms_own_queries_are_left_unprepared(conn):
    run_prepared("SELECT %(n)s::int AS papo_probe", {"n": 1}, using=conn)
    with conn.cursor() as cursor:
        for _ in range(10):
            cursor.execute("SELECT %s::int AS orm_probe", [1])
        cursor.execute(PREPARED, ["%orm_probe%"])
        assert cursor.fetchall() == []
    assert conn.connection.prepare_threshold is None  # as Django set it


def test_many_statements_in_one_pipeline_each_give_their_first_row(conn):
    with conn.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE papo_probe_t (n int PRIMARY KEY)")
    insert = "INSERT INTO papo_probe_t VALUES (%(n)s) RETURNING n * 10 AS papo_probe"
    nothing = "SELECT 1 AS papo_probe WHERE %(n)s::int < 0"
    with in_transaction(conn):
        rows = run_prepared_many([(insert, {"n": 1}), (nothing, {"n": 2}), (insert, {"n": 3})],
                                 using=conn)
    assert rows == [(10,), None, (30,)]
    # a failing statement fails the call, and the transaction around it rolls back whole
    with pytest.raises(IntegrityError), in_transaction(conn):
        run_prepared_many([(insert, {"n": 4}), (insert, {"n": 1})], using=conn)
    with conn.cursor() as cursor:
        cursor.execute("SELECT n FROM papo_probe_t ORDER BY n")
        assert cursor.fetchall() == [(1,), (3,)]
    assert conn.connection.prepare_threshold is None


def test_statements_are_planned_afresh_every_so_often(conn, monkeypatch):
    """A plan made on young tables must not be kept for ever (papo.prepared)."""
    monkeypatch.setattr(prepared, "REPLAN_EVERY", 5)
    sql = "SELECT %(n)s::int * 2 AS papo_replan_probe"
    names = set()
    for n in range(12):
        assert run_prepared(sql, {"n": n}, using=conn) == (2 * n,)
        with conn.cursor() as cursor:
            cursor.execute("SELECT name, generic_plans + custom_plans FROM pg_prepared_statements"
                           " WHERE statement LIKE %s", ["%papo_replan_probe%"])
            ((name, runs),) = cursor.fetchall()  # one statement on the server at any time
        names.add(name)
        assert runs == n % 5 + 1  # prepared again after every fifth call
    assert len(names) == 3
    # and what the ORM runs meanwhile is still not prepared
    assert conn.connection.prepare_threshold is None


def test_a_batch_cut_off_by_a_lost_connection_logs_no_second_error(conn, caplog):
    """The server goes away during a batch: the caller gets the error (and reports the
    outage once, bus.outage); psycopg's "error ignored terminating" about the pipeline
    it could not end is not logged as well (papo.log_filters)."""
    import psycopg

    conn.ensure_connection()
    victim = conn.connection.info.backend_pid
    with psycopg.connect(PG_URL, autocommit=True) as other:
        cut = threading.Timer(0.3, other.execute, ["SELECT pg_terminate_backend(%s)", [victim]])
        cut.start()
        with caplog.at_level(logging.DEBUG, logger="psycopg"), pytest.raises(Exception) as lost:
            with in_transaction(conn):
                run_prepared_many([("SELECT pg_sleep(2) IS NULL AS papo_slow", {}),
                                   ("SELECT 2 AS papo_two", {})], using=conn)
        cut.join()
    assert "terminat" in str(lost.value) or "connection" in str(lost.value).lower()
    assert [r.getMessage() for r in caplog.records if r.name == "psycopg"] == []
