"""Pages served by sync views hold no database connection after their request
(papo/request_connections.py): on PostgreSQL, under daphne, a hundred page loads
used to leave a hundred connections open."""

from __future__ import annotations

import urllib.request

import pytest

from papo.testing.server import PG_URL

pytestmark = [pytest.mark.live]


def test_page_loads_leave_no_connection_behind(live_papo):
    if live_papo.stack.name != "scaled":
        pytest.skip("open connections are counted on PostgreSQL")
    import psycopg

    team = live_papo.team("olga", role="owner")
    session = team.agents["olga"]["session"]
    db = live_papo.stack.env["DATABASE_URL"].rsplit("/", 1)[1]

    def open_connections() -> int:
        with psycopg.connect(PG_URL) as conn:
            return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s",
                                (db,)).fetchone()[0]

    def load(path: str) -> int:
        req = urllib.request.Request(live_papo.server.http + path,
                                     headers={"Cookie": f"sessionid={session}"})
        with urllib.request.urlopen(req, timeout=30) as res:
            return res.status

    pages = ("/console/", f"/console/sites/{team.site_key}/settings/",
             f"/console/sites/{team.site_key}/team/", f"/api/widget/{team.site_key}/config")
    for path in pages:  # the pool's threads may open theirs now, once
        assert load(path) == 200, path
    before = open_connections()
    for _ in range(20):
        for path in pages:
            assert load(path) == 200, path
    assert open_connections() - before <= 1  # 80 page loads, not 80 connections
