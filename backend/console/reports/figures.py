"""The report's figures, counted by the database: a handful of grouped queries over
the site's chats of the range (``Conversation``: every timestamp a figure needs is
on the chat's row, so no message is read). What each figure means: the package's
docstring.

Cost: four queries (the range's totals, by day, by hour, per agent), each walking
the site's chats of the range once; the two with percentiles sort each duration
once per group. On 100,000 chats a year's range of the biggest site is a scan of
the table, which PostgreSQL prefers there; a short range of a big site is best
served by an index on (site, created_at), which the inbox's filters by day add
(``conv_site_started``). Figures: docs/performance.md, bench/reports.py.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import ExtractHour, TruncDate

from conversations.models import Conversation, Tag
from conversations.serializers import agent_name

from . import sql
from .period import Period

RESOLVED = Conversation.Status.RESOLVED
# The visitor left before anyone replied: they ended it, or the queue closed it
# (abandoned: ended_by stays ""). An agent closing it without a word is not a miss.
MISSED = (Q(status=RESOLVED, first_agent_reply_at__isnull=True)
          & ~Q(ended_by=Conversation.EndedBy.AGENT))
UNANSWERED = ~Q(status=RESOLVED) & Q(first_agent_reply_at__isnull=True)
FIRST_RESPONSE = sql.Seconds(F("first_agent_reply_at"), F("created_at"))
CLOSED_ANSWERED = Q(status=RESOLVED, resolved_at__isnull=False, first_agent_reply_at__isnull=False)
RESOLUTION = Case(When(CLOSED_ANSWERED, then=sql.Seconds(F("resolved_at"), F("created_at"))))
DURATIONS = {"first_response": FIRST_RESPONSE, "resolution": RESOLUTION}

COUNTS = {
    "conversations": Count("pk"),
    "answered": Count("first_agent_reply_at"),
    "missed": Count("pk", filter=MISSED),
    "unanswered": Count("pk", filter=UNANSWERED),
    "resolved": Count("pk", filter=CLOSED_ANSWERED),
    "ratings": Count("rating_score"),
    "rating_sum": Sum("rating_score"),
    "satisfied": Count("pk", filter=Q(rating_score__gte=4)),
}


def agent_names(ids: list[int]) -> dict[int, str]:
    User = get_user_model()
    return {u.pk: agent_name(u) for u in User.objects.filter(pk__in=ids)}


def tag_names(ids: list[int]) -> dict[int, str]:
    return dict(Tag.objects.filter(pk__in=ids).values_list("pk", "name"))


# What a report breaks its figures down by: the key each groups the chats on, and
# how its values are named. A chat with two tags is counted under each; untagged
# ones (and unassigned ones) under None.
BREAKDOWNS = {"agents": ("assignee", agent_names), "tags": ("tag_links__tag", tag_names)}


def chats(site_id: int, period: Period) -> QuerySet[Conversation]:
    return Conversation.objects.filter(site_id=site_id, created_at__gte=period.start,
                                       created_at__lt=period.end).order_by()


def report(site, period: Period) -> dict:
    qs = chats(site.pk, period)
    out = {
        "site": {"key": site.key, "name": site.name, "time_zone": period.zone.key},
        "range": {"from": period.first.isoformat(), "to": period.last.isoformat()},
        "totals": totals(qs),
        "by_day": by_day(qs, period),
        "by_hour": by_hour(qs, period),
    }
    for name, (key, names) in BREAKDOWNS.items():
        out[name] = named(breakdown(qs, F(key)), names)
    return out


def _aggregates() -> dict:
    aggs = dict(COUNTS)
    if sql.native():
        for name, value in DURATIONS.items():
            aggs.update(sql.percentile_aggregates(name, value))
    return aggs


def _percentiles(qs: QuerySet, key) -> dict:
    """SQLite: the duration percentiles per key, ``{key: {"first_response_median": ...}}``."""
    out: dict = {}
    for name, value in DURATIONS.items():
        for k, pcts in sql.window_percentiles(qs, key, value).items():
            out.setdefault(k, {}).update({f"{name}_{label}": v for label, v in pcts.items()})
    return out


def totals(qs: QuerySet) -> dict:
    row = qs.aggregate(**_aggregates())
    if not sql.native():
        row.update(_percentiles(qs, Value(0)).get(0, {}))
    return shaped(row)


def breakdown(qs: QuerySet, key) -> dict:
    """``{key value: figures}`` of the chats grouped by ``key`` (None: no value)."""
    rows = {r.pop("k"): r for r in qs.annotate(k=key).values("k").annotate(**_aggregates())}
    if not sql.native():
        for k, pcts in _percentiles(qs, key).items():
            rows[k].update(pcts)
    return {k: shaped(r) for k, r in rows.items()}


def by_day(qs: QuerySet, period: Period) -> list[dict]:
    """Every day of the range (none left out), its chats and missed ones."""
    rows = {r["day"]: r for r in
            qs.annotate(day=TruncDate("created_at", tzinfo=period.zone)).values("day")
            .annotate(conversations=Count("pk"), missed=Count("pk", filter=MISSED))}
    return [{"date": d.isoformat(), "conversations": rows.get(d, {}).get("conversations", 0),
             "missed": rows.get(d, {}).get("missed", 0)} for d in period.days]


def by_hour(qs: QuerySet, period: Period) -> list[dict]:
    """The 24 hours of the site's day (0 to 23), the range's chats started in each."""
    rows = dict(qs.annotate(hour=ExtractHour("created_at", tzinfo=period.zone))
                .values("hour").annotate(n=Count("pk")).values_list("hour", "n"))
    return [{"hour": h, "conversations": rows.get(h, 0)} for h in range(24)]


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)


def shaped(row: dict) -> dict:
    ratings, satisfied = row["ratings"], row["satisfied"]
    return {
        "conversations": row["conversations"],
        "answered": row["answered"],
        "missed": row["missed"],
        "unanswered": row["unanswered"],
        "first_response": {"count": row["answered"],
                           "median": _seconds(row.get("first_response_median")),
                           "p90": _seconds(row.get("first_response_p90"))},
        "resolution": {"count": row["resolved"],
                       "median": _seconds(row.get("resolution_median")),
                       "p90": _seconds(row.get("resolution_p90"))},
        # averages from the sum: the same division on both stacks (PostgreSQL's AVG
        # is a numeric, SQLite's a double: they can round apart)
        "csat": {"ratings": ratings, "satisfied": satisfied,
                 "average": round(int(row["rating_sum"]) / ratings, 2) if ratings else None,
                 "percent": round(100 * satisfied / ratings, 1) if ratings else None},
    }


def named(rows: dict, names) -> list[dict]:
    """The rows as a list, each with its key's name (``names``), most chats first."""
    known = names([k for k in rows if k is not None])
    out = [{"id": k, "name": known.get(k, "") if k is not None else "", **figures}
           for k, figures in rows.items()]
    out.sort(key=lambda r: (-r["conversations"], r["id"] is None, r["name"].lower()))
    return out
