"""A small, hand-made month for the reports' tests: a dozen chats whose figures are
worked out by hand below (``EXPECTED``), so a test can hold the SQL to them exactly.

The site's zone is America/Sao_Paulo (UTC-3 all year): a chat at 02:00 UTC on
March 2nd started on March 1st at 23:00 there, and belongs to that day and hour.
The range is 2025-03-01 to 2025-03-03. Run in the server's own environment
(``live.shell``) with the site and agent ids the live seed gave.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

FIRST, LAST = "2025-03-01", "2025-03-03"


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """March ``day``, ``hour:minute`` in São Paulo (UTC-3), as an instant."""
    return datetime(2025, 3, day, hour, minute, tzinfo=UTC) + timedelta(hours=3)


# (started, agent, first reply after (s), closed after (s), ended_by, score)
# ended_by: "agent" | "visitor" | "" (abandoned by the queue) | None (not closed)
CHATS = [
    (local(1, 9), "ana", 30, 600, "agent", 5),
    (local(1, 9, 30), "ana", 60, 1200, "visitor", 4),
    (local(1, 23), "ana", 90, 900, "agent", 2),           # 02:00 UTC on the 2nd
    (local(2, 10), "bruno", 120, 1800, "agent", 3),
    (local(2, 10, 15), "bruno", 300, None, None, None),    # open
    (local(2, 11), None, None, 200, "visitor", None),      # missed: the visitor left
    (local(3, 0, 30), None, None, 1800, "", None),         # missed: abandoned
    (local(3, 14), "ana", None, 60, "agent", None),        # closed without a word: spam
    (local(3, 15), None, None, None, None, None),          # waiting: unanswered
    (local(3, 14, 30), "bruno", 45.25, 100.75, "agent", 5),
    # outside the range: a minute before it starts, and the instant it ends
    (local(1, 0) - timedelta(minutes=1), "ana", 10, 20, "agent", 1),
    (local(4, 0), "bruno", 10, 20, "agent", 1),
]


def seed(site_id: int, other_site_id: int, agents: dict[str, int]) -> int:
    """Write ``CHATS`` on the site (and one in range on the other site); how many."""
    from conversations.models import Conversation
    from visitors.models import Visitor

    def write(site: int, started: datetime, agent: str | None, reply: float | None,
              closed: float | None, ended_by: str | None, score: int | None) -> None:
        visitor = Visitor.objects.create(site_id=site, first_seen_at=started,
                                         last_seen_at=started)
        status = ("resolved" if ended_by is not None
                  else "open" if agent else "waiting")
        Conversation.objects.create(
            site_id=site, visitor=visitor, status=status,
            assignee_id=agents[agent] if agent else None,
            created_at=started, updated_at=started, queued_at=started,
            first_agent_reply_at=started + timedelta(seconds=reply) if reply else None,
            resolved_at=started + timedelta(seconds=closed) if ended_by is not None else None,
            ended_by=ended_by or "",
            rating_score=score, rated_at=started + timedelta(hours=1) if score else None)

    for chat in CHATS:
        write(site_id, *chat)
    write(other_site_id, local(2, 12), None, 5, 50, "agent", 1)
    return len(CHATS)


def seed_month(live) -> dict:
    """On a live Papo: a São Paulo site with the sample month, its owner, an admin, two
    agents (Ana, and "@Bruno": a name a spreadsheet would run as a formula) and another
    site's owner. Returns the site keys, the people's ids and their sessions."""
    tag = uuid.uuid4().hex[:6]
    site, other = f"Reports {tag}", f"Elsewhere {tag}"
    people = {"owner": ("owner", "Olga", site), "admin": ("admin", "Adam", site),
              "ana": ("agent", "Ana", site), "bruno": ("agent", "@Bruno", site),
              "stranger": ("owner", "Sam", other)}
    out = live.seed({
        "sites": [{"name": site, "origins": [live.host.origin],
                   "fields": {"time_zone": "America/Sao_Paulo"}},
                  {"name": other, "origins": ["https://elsewhere.example"]}],
        "agents": [{"username": f"{who}-{tag}", "name": name, "role": role, "sites": [where]}
                   for who, (role, name, where) in people.items()]})
    ids = {who: out["agents"][f"{who}-{tag}"]["id"] for who in people}
    seeded = live.shell(
        "from console.tests.reports_sample import seed; "
        f"print(seed({out['sites'][site]['id']}, {out['sites'][other]['id']}, "
        f"{{'ana': {ids['ana']}, 'bruno': {ids['bruno']}}}))")
    assert seeded == str(len(CHATS))
    return {"key": out["sites"][site]["key"], "other_key": out["sites"][other]["key"],
            "name": site, "ids": ids,
            "usernames": {who: f"{who}-{tag}" for who in people},
            "sessions": {who: out["agents"][f"{who}-{tag}"]["session"] for who in people}}


def agent_figures(conversations, answered, missed, unanswered, frt, res, csat) -> dict:
    return {"conversations": conversations, "answered": answered, "missed": missed,
            "unanswered": unanswered,
            "first_response": {"count": answered, "median": frt[0], "p90": frt[1]},
            "resolution": {"count": res[0], "median": res[1], "p90": res[2]},
            "csat": {"ratings": csat[0], "satisfied": csat[1], "average": csat[2],
                     "percent": csat[3]}}


# Worked out by hand. Percentiles as PostgreSQL's percentile_cont: at p * (n - 1)
# in the sorted values, between the two around it.
EXPECTED = {
    # first replies 30 45.25 60 90 120 300: median at 2.5 -> 75, p90 at 4.5 -> 210;
    # resolutions 100.75 600 900 1200 1800: median 900, p90 at 3.6 -> 1560;
    # ratings 5 4 2 3 5: 19 / 5 = 3.8, three of five satisfied
    "totals": agent_figures(10, 6, 2, 1, (75.0, 210.0), (5, 900.0, 1560.0),
                            (5, 3, 3.8, 60.0)),
    "agents": [
        # 30 60 90: median 60, p90 at 1.8 -> 84; 600 900 1200 -> 900, 1140; 5 4 2
        {"name": "Ana", **agent_figures(4, 3, 0, 0, (60.0, 84.0), (3, 900.0, 1140.0),
                                        (3, 2, 3.67, 66.7))},
        # 45.25 120 300 -> 120, 264; 100.75 1800: at 0.5 -> 950.375, at 0.9 -> 1630.075
        {"name": "@Bruno", **agent_figures(3, 3, 0, 0, (120.0, 264.0), (2, 950.4, 1630.1),
                                           (2, 1, 4.0, 50.0))},
        {"name": "", "id": None, **agent_figures(3, 0, 2, 1, (None, None), (0, None, None),
                                                 (0, 0, None, None))},
    ],
    "by_day": [{"date": "2025-03-01", "conversations": 3, "missed": 0},
               {"date": "2025-03-02", "conversations": 3, "missed": 1},
               {"date": "2025-03-03", "conversations": 4, "missed": 1}],
    "by_hour": {0: 1, 9: 2, 10: 2, 11: 1, 14: 2, 15: 1, 23: 1},
}


# Durations that test the seconds' arithmetic to the last bit (``reports.sql.Seconds``):
# microseconds, a day and more (PostgreSQL's interval then has whole days), negative.
AWKWARD_MICROSECONDS = [1, 999_999, 1_000_001, 59_999_999, 86_399_999_999, 86_400_000_000,
                        86_400_000_001, 93_784_123_456, 3 * 86_400_000_000 + 7,
                        400 * 86_400_000_000 + 123_457, -1_500_000, -90_000_000_001]


def seconds_of_awkward_durations(site_id: int) -> list[float]:
    """Write a chat per awkward duration (first reply after it) and read the durations
    back through ``Seconds``, in the order written."""
    from django.db.models import F

    from console.reports.sql import Seconds
    from conversations.models import Conversation
    from visitors.models import Visitor

    start = datetime(2024, 2, 28, 23, 59, 59, 999_999, tzinfo=UTC)
    ids = []
    for us in AWKWARD_MICROSECONDS:
        visitor = Visitor.objects.create(site_id=site_id)
        ids.append(Conversation.objects.create(
            site_id=site_id, visitor=visitor, status="resolved", created_at=start,
            first_agent_reply_at=start + timedelta(microseconds=us)).pk)
    got = dict(Conversation.objects.filter(pk__in=ids).annotate(
        s=Seconds(F("first_agent_reply_at"), F("created_at"))).values_list("pk", "s"))
    return [got[pk] for pk in ids]


def postgresql_seconds(us: int) -> float:
    """What PostgreSQL's date_part('epoch', interval) gives for a difference of ``us``:
    the microseconds left over whole days (truncated toward zero) over a million, plus
    86400 times the days, in doubles."""
    days = int(us / 86_400_000_000)
    return (us - days * 86_400_000_000) / 1_000_000.0 + 86400.0 * days
