"""A site's reports on a big PostgreSQL database. Not a test.

    nice -n 10 python bench/reports.py                   # 1,000,000 messages, 100,000 chats
    python bench/reports.py --messages 100000 --conversations 10000 --repeat 5   # a try

A fresh PostgreSQL database (``Stack.scaled``: the test server, Redis DB of
``PAPO_TEST_REDIS_URL`` flushed) is migrated and seeded in SQL with
``generate_series`` (no rows cross the wire): three sites of 80 %, 15 % and 5 % of
the conversations, one visitor each, spread evenly over the last year, about ten
messages each (a report reads none of them: they are there to weigh as they would).
Of the chats, 6 % are missed (the visitor ended it, or it was abandoned), 2 % closed
by an agent without a reply, the rest answered after 10 s to 15 min and closed up
to two hours later; the newest 3 % are still open or waiting; three answered chats
in ten are rated 1 to 5. Then VACUUM ANALYZE.

One daphne (production settings: DEBUG off) serves the measured user, an owner of
the three sites. Each report is an HTTP GET of ``/console/sites/<key>/reports/data``
(or ``/csv``) with their session, one at a time, timed from request to the last
byte on the client; each runs once to warm the caches, then ``--repeat`` times.
Printed: per report the chats counted, p50 / p95 / max in ms, and the p95 of all;
the JSON goes to bench/results/reports-<timestamp>.json.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.request import Request, urlopen

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "backend"))

from run import PAPO_ENV  # noqa: E402
from seeded import options, pct, save, scaled_stack  # noqa: E402

from papo.testing.server import Daphne, Stack  # noqa: E402

SEED_SQL = {
    "visitors": """
INSERT INTO visitors_visitor (id, public_id, site_id, name, email, external_id, verified,
    page_url, page_title, referrer, user_agent, locale, first_seen_at, last_seen_at, time_zone)
SELECT i, md5('v' || i), CASE WHEN i %% 20 = 0 THEN %(small)s WHEN i %% 20 < 4 THEN %(mid)s
                              ELSE %(big)s END,
       '', '', '', false, '', '', '', '', 'pt-BR', t.at, t.at, ''
FROM generate_series(1, %(n)s) i
CROSS JOIN LATERAL (SELECT %(now)s - (%(n)s - i) * (interval '365 days' / %(n)s) AS at) t
""",
    # k: the chat's kind from a hash of its id (0-5 missed, 6-7 closed without a reply,
    # else answered); the newest 3 % still open (answered) or waiting (not).
    "conversations": """
INSERT INTO conversations_conversation (id, status, last_seq, visitor_read_seq, agent_read_seq,
    created_at, updated_at, queued_at, first_agent_reply_at, resolved_at, assignee_id, site_id,
    visitor_id, visible_seq, ended_by, rating_score, rating_comment, rated_at, left_message)
SELECT v.id, st.status, k.m, k.m, k.m, v.first_seen_at, v.first_seen_at + interval '1 hour',
       v.first_seen_at, r.reply,
       CASE WHEN st.status = 'resolved' THEN v.first_seen_at + d.close END,
       CASE WHEN k.k >= 6 THEN (%(agents)s::int[])[a.first + (v.id %% a.n)::int] END,
       v.site_id, v.id, k.m,
       CASE WHEN st.status <> 'resolved' THEN '' WHEN k.k < 3 THEN 'visitor' WHEN k.k < 6 THEN ''
            WHEN k.k < 8 THEN 'agent' WHEN v.id %% 2 = 0 THEN 'agent' ELSE 'visitor' END,
       sc.score, '', CASE WHEN sc.score IS NOT NULL THEN v.first_seen_at + d.close
                                                       + interval '1 minute' END,
       false
FROM visitors_visitor v
CROSS JOIN LATERAL (SELECT (v.id * 7919) %% 100 AS k, 1 + (v.id * 7919) %% 19 AS m) k
CROSS JOIN LATERAL (SELECT CASE WHEN v.id <= %(n)s * 0.97 THEN 'resolved'
                                WHEN k.k >= 8 THEN 'open' ELSE 'waiting' END AS status) st
CROSS JOIN LATERAL (SELECT make_interval(secs => 10 + (v.id * 104729) %% 890
                                                 + ((v.id * 13) %% 1000) / 1000.0) AS frt,
                           make_interval(secs => 60 + (v.id * 15485863) %% 7200) AS more) t
CROSS JOIN LATERAL (SELECT CASE WHEN k.k >= 8 THEN v.first_seen_at + t.frt END AS reply) r
CROSS JOIN LATERAL (SELECT CASE WHEN k.k >= 8 THEN t.frt + t.more
                                ELSE interval '1 minute' * (1 + k.k) END AS close) d
CROSS JOIN LATERAL (SELECT CASE WHEN st.status = 'resolved' AND k.k >= 8 AND v.id %% 10 < 3
                                THEN 1 + (v.id * 31) %% 5 END AS score) sc
CROSS JOIN LATERAL (SELECT CASE v.site_id WHEN %(big)s THEN 1 WHEN %(mid)s THEN %(mid_at)s
                                ELSE %(small_at)s END AS first,
                           CASE v.site_id WHEN %(big)s THEN %(nbig)s WHEN %(mid)s THEN %(nmid)s
                                ELSE %(nsmall)s END AS n) a
""",
    "messages": """
INSERT INTO conversations_message (conversation_id, seq, author, body, event, data, client_id,
    created_at, agent_id, internal, files)
SELECT c.id, s, CASE WHEN s %% 2 = 1 THEN 'visitor' ELSE 'agent' END,
       'message ' || s || ' of chat ' || c.id, '', '{}', NULL,
       c.created_at + s * interval '1 minute', CASE WHEN s %% 2 = 0 THEN c.assignee_id END,
       false, '[]'
FROM conversations_conversation c CROSS JOIN generate_series(1, c.last_seq) s
""",
}


def seed(stack: Stack, conversations: int, messages: int, sites: dict, agents: dict) -> dict:
    import psycopg

    if abs(messages / conversations - 10) > 0.5:
        raise SystemExit("the seed writes about 10 messages per conversation")
    big, mid, small = (sites[n]["id"] for n in ("Big", "Mid", "Small"))
    by_site = {big: [], mid: [], small: []}
    for agent in agents.values():
        for site_id in agent["site_ids"]:
            by_site[site_id].append(agent["id"])
    params = {
        "n": conversations, "now": datetime.now(UTC), "big": big, "mid": mid, "small": small,
        "agents": by_site[big] + by_site[mid] + by_site[small],
        "mid_at": len(by_site[big]) + 1, "small_at": len(by_site[big]) + len(by_site[mid]) + 1,
        "nbig": len(by_site[big]), "nmid": len(by_site[mid]), "nsmall": len(by_site[small]),
    }
    took = {}
    with psycopg.connect(stack.env["DATABASE_URL"], autocommit=True) as conn:
        for name, sql in SEED_SQL.items():
            started = time.monotonic()
            conn.execute(sql, params)
            took[name] = round(time.monotonic() - started, 1)
            print(f"  {name}: {took[name]} s", flush=True)
        for table in ("visitors_visitor", "conversations_conversation"):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                         f"(SELECT max(id) FROM {table}))")
        started = time.monotonic()
        conn.execute("VACUUM ANALYZE")
        took["vacuum_analyze"] = round(time.monotonic() - started, 1)
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("conversations_conversation", "conversations_message")}
    return {"seconds": took, "rows": counts}


def cases(sites: dict) -> dict[str, tuple[str, str]]:
    """name: (site key, path after the site's reports/); ranges end today (UTC sites)."""
    today = datetime.now(UTC).date()

    def days(n: int) -> str:
        return f"?from={(today - timedelta(days=n - 1)).isoformat()}&to={today.isoformat()}"

    big, small = sites["Big"]["key"], sites["Small"]["key"]
    return {
        "big site, last 30 days (the page's default)": (big, "data"),
        "big site, last 7 days": (big, "data" + days(7)),
        "big site, last 90 days": (big, "data" + days(90)),
        "big site, a whole year (the longest range)": (big, "data" + days(366)),
        "small site, last 30 days": (small, "data"),
        "small site, a whole year": (small, "data" + days(366)),
        "big site, a whole year, CSV": (big, "csv" + days(366)),
    }


def measure(server: Daphne, session: str, todo: dict[str, tuple[str, str]],
            repeat: int) -> dict[str, dict]:
    out = {}
    for name, (key, path) in todo.items():
        req = Request(f"{server.http}/console/sites/{key}/reports/{path}",
                      headers={"Cookie": f"sessionid={session}"})
        times = []
        for i in range(repeat + 1):
            started = time.perf_counter()
            with urlopen(req, timeout=60) as res:
                body = res.read()
            took = (time.perf_counter() - started) * 1000
            if i:  # the first run warms the caches
                times.append(took)
        chats = (json.loads(body)["totals"]["conversations"] if path.startswith("data")
                 else body.decode("utf-8-sig").splitlines()[1].split(",")[2])
        out[name] = {"chats": int(chats), "bytes": len(body),
                     "p50": round(statistics.median(times), 1), "p95": round(pct(times, 95), 1),
                     "max": round(max(times), 1), "all": [round(t, 2) for t in times]}
        print(f"  {name}: {out[name]['chats']} chats, {out[name]['p50']} / {out[name]['p95']} / "
              f"{out[name]['max']} ms", flush=True)
    return out


def table(rows: dict[str, dict]) -> str:
    lines = ["| report | chats counted | p50 ms | p95 ms | max ms |", "|---|---|---|---|---|"]
    for name, r in rows.items():
        lines.append(f"| {name} | {r['chats']:,} | {r['p50']} | {r['p95']} | {r['max']} |")
    every = [t for r in rows.values() for t in r["all"]]
    lines.append(f"| **all {len(every)}** | | {round(statistics.median(every), 1)} | "
                 f"**{round(pct(every, 95), 1)}** | {round(max(every), 1)} |")
    return "\n".join(lines)


def main() -> None:
    args = options(__doc__)
    spec = {"sites": [{"name": n, "origins": ["http://bench.papo.invalid"]}
                      for n in ("Big", "Mid", "Small")],
            "agents": [{"username": "bench", "sites": ["Big", "Mid", "Small"], "role": "owner"}]
            + [{"username": f"agent{i:02}", "name": f"Agent {i}", "sites": [site]}
               for i, site in enumerate(["Big"] * 12 + ["Mid"] * 4 + ["Small"] * 2, 1)]}
    with scaled_stack(args, spec) as (stack, seeded):
        sites = seeded["sites"]
        agents = {a["username"]: {"id": seeded["agents"][a["username"]]["id"],
                                  "site_ids": [sites[s]["id"] for s in a["sites"]]}
                  for a in spec["agents"][1:]}
        print(f"seeding {args.conversations:,} conversations, ~{args.messages:,} messages",
              flush=True)
        seeding = seed(stack, args.conversations, args.messages, sites, agents)
        print(f"  rows: {seeding['rows']}", flush=True)
        server = Daphne(stack, {**PAPO_ENV, "PAPO_CHECK_FRAMES": "0"}).start()
        try:
            measured = measure(server, seeded["agents"]["bench"]["session"], cases(sites),
                               args.repeat)
        finally:
            server.stop()
    report = table(measured)
    print(report)
    save("reports", {"args": vars(args), "seeding": seeding, "reports": measured,
                     "table": report})


if __name__ == "__main__":
    main()
