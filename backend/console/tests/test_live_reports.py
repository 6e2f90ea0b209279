"""A site's reports over real HTTP, on both stacks: the figures of a hand-made month
(console/tests/reports_sample.py: every number worked out by hand, percentiles
exact) as JSON and as CSV, the same on SQLite and PostgreSQL; and who may read
them (owners and admins of that site; not its agents, not another site's owner,
not a stranger, not a raw request without a session).
"""

from __future__ import annotations

import csv
import io
import json
from urllib.error import HTTPError
from urllib.request import HTTPRedirectHandler, Request, build_opener

import pytest

from console.tests import reports_sample as sample

pytestmark = [pytest.mark.live]

RANGE = f"?from={sample.FIRST}&to={sample.LAST}"


class _Stay(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to look at, not to follow


NO_REDIRECTS = build_opener(_Stay)


def fetch(live, path: str, session: str | None = None, method: str = "GET",
          ) -> tuple[int, dict, bytes]:
    headers = {"Cookie": f"sessionid={session}"} if session else {}
    req = Request(live.server.http + path, method=method, headers=headers)
    try:
        with NO_REDIRECTS.open(req, timeout=30) as res:
            return res.status, dict(res.headers), res.read()
    except HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@pytest.fixture(scope="module")
def month(live_papo):
    return sample.seed_month(live_papo)


def report(live, month, who: str = "owner", query: str = RANGE) -> dict:
    status, headers, body = fetch(live, f"/console/sites/{month['key']}/reports/data{query}",
                                  month["sessions"][who])
    assert status == 200, body
    assert headers["Content-Type"] == "application/json"
    assert "no-store" in headers["Cache-Control"]
    return json.loads(body)


def test_the_figures_of_the_sample_month_are_the_ones_worked_out_by_hand(live_papo, month):
    got = report(live_papo, month)
    expected = sample.EXPECTED
    assert got["range"] == {"from": sample.FIRST, "to": sample.LAST}
    assert got["site"]["time_zone"] == "America/Sao_Paulo"
    assert got["totals"] == expected["totals"]
    ids = month["ids"]
    assert got["agents"] == [
        {**expected["agents"][0], "id": ids["ana"]},
        {**expected["agents"][1], "id": ids["bruno"]},
        expected["agents"][2],
    ]
    assert got["by_day"] == expected["by_day"]
    assert got["by_hour"] == [{"hour": h, "conversations": expected["by_hour"].get(h, 0)}
                              for h in range(24)]


def test_seconds_are_the_same_double_on_both_stacks(live_papo, month):
    """The durations the percentiles are taken of, to the last bit, from a microsecond to
    400 days, and backwards: the one arithmetic PostgreSQL and SQLite must share."""
    got = live_papo.shell(
        "from console.tests.reports_sample import seconds_of_awkward_durations as s; "
        "from sites.models import Site; "
        f"print(repr(s(Site.objects.get(key={month['other_key']!r}).pk)))")
    assert [float(x) for x in got.strip("[]").split(", ")] == [
        sample.postgresql_seconds(us) for us in sample.AWKWARD_MICROSECONDS]


def test_an_admin_reads_them_too_and_a_range_moves_with_its_days(live_papo, month):
    assert report(live_papo, month, "admin")["totals"] == sample.EXPECTED["totals"]
    # March 2nd alone: the chat at 02:00 UTC that day started on the 1st in São Paulo
    day = report(live_papo, month, query="?from=2025-03-02&to=2025-03-02")
    assert day["totals"]["conversations"] == 3
    assert day["by_hour"][23] == {"hour": 23, "conversations": 0}
    assert [d["date"] for d in day["by_day"]] == ["2025-03-02"]


def test_the_csv_has_the_same_numbers_and_no_formula(live_papo, month):
    status, headers, body = fetch(
        live_papo, f"/console/sites/{month['key']}/reports/csv{RANGE}",
        month["sessions"]["owner"])
    assert status == 200
    assert headers["Content-Type"] == "text/csv; charset=utf-8"
    assert headers["Content-Disposition"] == (
        f'attachment; filename="papo-report-{month["key"]}-{sample.FIRST}-{sample.LAST}.csv"')
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][:4] == ["group", "name", "conversations", "answered"]
    by_name = {(r[0], r[1]): r[2:] for r in rows[1:]}
    assert by_name[("total", "2025-03-01..2025-03-03")] == [
        "10", "6", "2", "1", "75.0", "210.0", "900.0", "1560.0", "5", "3.8", "60.0"]
    assert by_name[("agent", "Ana")] == [
        "4", "3", "0", "0", "60.0", "84.0", "900.0", "1140.0", "3", "3.67",
        "66.7"]
    # "@Bruno" would be a formula in a spreadsheet: it is text there
    assert by_name[("agent", "'@Bruno")][:5] == ["3", "3", "0", "0", "120.0"]
    assert by_name[("agent", "not assigned")] == ["3", "0", "2", "1", "", "", "", "", "0", "",
                                                 ""]
    assert by_name[("day", "2025-03-03")] == ["4", "", "1"]
    assert by_name[("hour", "23:00")] == ["1"]
    assert len([r for r in rows if r[0] == "hour"]) == 24


@pytest.mark.security
def test_who_may_read_a_sites_reports(live_papo, month):
    key = month["key"]
    for path in (f"/console/sites/{key}/reports/data{RANGE}",
                 f"/console/sites/{key}/reports/csv{RANGE}"):
        # a raw request without a session, an agent of the site, another site's owner
        assert fetch(live_papo, path)[0] == 403
        status, _, body = fetch(live_papo, path, month["sessions"]["ana"])
        assert (status, json.loads(body)["error"]["code"]) == (403, "forbidden")
        status, _, body = fetch(live_papo, path, month["sessions"]["stranger"])
        assert (status, json.loads(body)["error"]["code"]) == (404, "not_found")
        # reading is all there is: a raw POST is refused (its CSRF check first)
        status, _, body = fetch(live_papo, path, month["sessions"]["owner"], method="POST")
        assert status == 403 and b"conversations" not in body
    # the other site's reports are its own owner's, never this owner's
    other = f"/console/sites/{month['other_key']}/reports/data"
    assert fetch(live_papo, other, month["sessions"]["owner"])[0] == 404
    assert fetch(live_papo, other, month["sessions"]["stranger"])[0] == 200
    # the page: the login for a stranger to Papo, "no access" for an agent, 404 elsewhere
    page = f"/console/sites/{key}/reports/"
    status, headers, _ = fetch(live_papo, page)
    assert status == 302 and headers["Location"].startswith("/console/login/?next=")
    assert fetch(live_papo, page, month["sessions"]["ana"])[0] == 403
    assert fetch(live_papo, page, month["sessions"]["stranger"])[0] == 404
    assert fetch(live_papo, page, month["sessions"]["owner"])[0] == 200


def test_reports_hold_no_database_connection_after_their_request(live_papo, month):
    """On PostgreSQL a sync view leaves its per-request thread's connection open (under
    ASGI, with CONN_MAX_AGE): a hundred reports filled the server. These run on the
    database thread pool, whose threads keep one connection each."""
    if live_papo.stack.name != "scaled":
        pytest.skip("connections are PostgreSQL's")
    import psycopg

    from papo.testing.server import PG_URL

    db = live_papo.stack.env["DATABASE_URL"].rsplit("/", 1)[1]

    def connections() -> int:
        with psycopg.connect(PG_URL) as conn:
            return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s",
                                (db,)).fetchone()[0]

    before = connections()
    for path in ("data", "csv"):
        for _ in range(30):
            assert fetch(live_papo, f"/console/sites/{month['key']}/reports/{path}{RANGE}",
                         month["sessions"]["owner"])[0] == 200
    # at most the pool's threads (PAPO_DB_THREADS: 4) opened one each; never one a request
    assert connections() - before <= 4


def test_a_range_that_is_not_one_is_refused_and_says_why(live_papo, month):
    base = f"/console/sites/{month['key']}/reports/data"
    for query, words in (("?from=2025-03-05&to=2025-03-01", "ends before it starts"),
                         ("?from=2024-01-01&to=2025-03-01", "at most 366 days"),
                         ("?from=yesterday", "a date such as"),
                         ("?to=9999-12-31", "too far")):
        status, _, body = fetch(live_papo, base + query, month["sessions"]["owner"])
        error = json.loads(body)["error"]
        assert (status, error["code"]) == (400, "invalid") and words in error["message"]


def test_figures_per_tag_count_a_chat_under_each_of_its_tags(live_papo, month):
    # The range's first three chats (the site's first is a minute before it): two tagged
    # "=bug" (a name a spreadsheet would run), one of them "billing" too; the rest untagged.
    live_papo.shell(
        "from conversations.models import Conversation, ConversationTag, Tag; "
        "from sites.models import Site; "
        f"s = Site.objects.get(key={month['key']!r}); "
        "bug = Tag.objects.create(site=s, name='=bug', color='#aa0000'); "
        "billing = Tag.objects.create(site=s, name='billing', color='#00aa00'); "
        "first = list(Conversation.objects.filter(site=s).order_by('created_at', 'pk')[1:4]); "
        "[ConversationTag.objects.create(conversation=c, tag=bug) for c in first[:2]]; "
        "ConversationTag.objects.create(conversation=first[0], tag=billing); print('ok')")
    tags = {t["name"]: t["conversations"] for t in report(live_papo, month)["tags"]}
    total = sample.EXPECTED["totals"]["conversations"]
    assert tags == {"=bug": 2, "billing": 1, "": total - 2}
    status, _, body = fetch(live_papo, f"/console/sites/{month['key']}/reports/csv{RANGE}",
                            month["sessions"]["owner"])
    rows = list(csv.reader(io.StringIO(body.decode("utf-8")[1:])))
    assert [r[2] for r in rows if r[:2] == ["tag", "'=bug"]] == ["2"]
