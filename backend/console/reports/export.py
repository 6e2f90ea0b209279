"""The report as CSV: the same numbers as the page, one table a spreadsheet can filter.

Each line is one group of chats: ``total`` (the range), an ``agent``, a ``day``, an
``hour`` of the site's day; the columns are the figures (empty where a group has
none: a day has no percentiles). Durations in seconds.

Names come from people (an agent's name; a tag's later), and a spreadsheet runs a
cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (CSV injection):
such a text cell gets a leading ``'``, which shows it as the text it is. Numbers
are written as numbers, never escaped. The file starts with a byte-order mark, so
a spreadsheet reads its accents as UTF-8.
"""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> object:
    """A text value made safe for a spreadsheet; anything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def columns() -> list[str]:
    return [_("group"), _("name"), _("conversations"), _("answered"), _("missed"),
            _("unanswered"), _("first response median (s)"), _("first response p90 (s)"),
            _("resolution median (s)"), _("resolution p90 (s)"), _("ratings"),
            _("average rating"), _("satisfied (%)")]


def _figures(f: dict) -> list:
    return [f["conversations"], f["answered"], f["missed"], f["unanswered"],
            f["first_response"]["median"], f["first_response"]["p90"],
            f["resolution"]["median"], f["resolution"]["p90"], f["csat"]["ratings"],
            f["csat"]["average"], f["csat"]["percent"]]


def rows(report: dict) -> list[list]:
    span = f"{report['range']['from']}..{report['range']['to']}"
    out = [[_("total"), span, *_figures(report["totals"])]]
    for agent in report["agents"]:
        out.append([_("agent"), agent["name"] or _("not assigned"), *_figures(agent)])
    for tag in report.get("tags", []):
        out.append([_("tag"), tag["name"] or _("no tag"), *_figures(tag)])
    for day in report["by_day"]:
        out.append([_("day"), day["date"], day["conversations"], "", day["missed"]])
    for hour in report["by_hour"]:
        out.append([_("hour"), f"{hour['hour']:02d}:00", hour["conversations"]])
    return out


def render(report: dict) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns())
    for row in rows(report):
        writer.writerow([cell(v) for v in row])
    return "\ufeff" + buffer.getvalue()


def filename(report: dict) -> str:
    key = "".join(c for c in report["site"]["key"] if c.isalnum() or c in "_-")
    return f"papo-report-{key}-{report['range']['from']}-{report['range']['to']}.csv"
