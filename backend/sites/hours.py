"""Business hours: when a site's team answers, and the one function that says so.

A site's hours are a time zone (IANA), a weekly schedule and holiday dates,
written as text the site owner edits in the admin or the console:

    mon-fri 09:00-12:00 13:00-18:00
    sat 10:00-14:00
    fri 22:00-02:00            (past midnight: Friday 22:00 to Saturday 02:00)

    2025-12-25                 (holidays: a date, or MM-DD for every year)
    01-01

An empty schedule means always open. A range whose end is not after its start
runs past midnight into the next day; ``24:00`` is the end of the day. A
holiday cancels the ranges that *start* on that date (a shift from the evening
before still ends as planned). Times are wall-clock times in the site's zone,
so they follow its daylight-saving changes: a time that does not exist that
day (clocks jump forward) is read with the offset before the jump, so it falls
an hour later on the wall clock (a range that then ends before it starts opens
nothing that day); a time that happens twice is its first one.

:func:`state_at` answers "is the site open at this instant, and when does that
change" (the next closing while open, the next opening while closed).
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_MINUTES = 24 * 60
# How far ahead an opening is looked for: a year of holidays and then a week.
HORIZON_DAYS = 366 + 7

_DAYS = r"[a-z]{3}(?:-[a-z]{3})?"
_LINE = re.compile(rf"^(?P<days>{_DAYS}(?:,{_DAYS})*)\s+(?P<ranges>.+)$")
_RANGE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")
_DATE = re.compile(r"^(?:(\d{4})-)?(\d{2})-(\d{2})$")

Range = tuple[int, int]  # minutes from the day's midnight: start in [0, 1440), end in (0, 1440]


def zone(name: str) -> zoneinfo.ZoneInfo:
    """The zone named ``name`` (a ``ValidationError`` for an unknown name)."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError) as exc:
        raise ValidationError(_("%(name)s is not a time zone (use a name such as "
                                "Europe/Lisbon or America/Sao_Paulo).") % {"name": name}) from exc


def validate_time_zone(name: str) -> None:
    zone(name)


@lru_cache(maxsize=1)
def zone_choices() -> list[tuple[str, str]]:
    """Every IANA zone this server knows, for a form's select."""
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


def _minutes(hours: str, minutes: str, *, end: bool) -> int:
    h, m = int(hours), int(minutes)
    if m > 59 or h > 24 or (h == 24 and (m or not end)):
        raise ValueError
    return h * 60 + m


def _days(spec: str) -> list[int]:
    out: list[int] = []
    for part in spec.split(","):
        first, _sep, last = part.partition("-")
        a = DAYS.index(first)
        b = DAYS.index(last) if last else a
        out.extend(i % 7 for i in range(a, (b if b >= a else b + 7) + 1))  # fri-mon wraps
    return out


@lru_cache(maxsize=1024)
def parse_week(text: str) -> tuple[tuple[Range, ...], ...]:
    """Seven tuples of ranges (Monday first), sorted; a ``ValidationError`` naming
    the first line that is not ``<days> <from>-<to> [<from>-<to>…]``."""
    week: list[list[Range]] = [[] for _day in DAYS]
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip().lower()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(re.sub(r"\s*([-,])\s*", r"\1", line))
        try:
            if match is None:
                raise ValueError
            days = _days(match["days"])
            ranges = []
            for item in match["ranges"].replace(",", " ").split():
                r = _RANGE.match(item)
                if r is None:
                    raise ValueError
                start = _minutes(r[1], r[2], end=False)
                stop = _minutes(r[3], r[4], end=True)
                if start == stop:
                    raise ValueError
                ranges.append((start, stop))
        except ValueError:
            raise ValidationError(
                _("Line %(n)d (“%(line)s”) is not “<days> <from>-<to>”, e.g. “mon-fri "
                  "09:00-18:00” or “sat 10:00-14:00 16:00-20:00” (days: mon tue wed thu "
                  "fri sat sun; times 00:00 to 24:00).") % {"n": number, "line": raw.strip()[:60]}
            ) from None
        for day in days:
            week[day].extend(ranges)
    return tuple(tuple(sorted(set(day))) for day in week)


@lru_cache(maxsize=1024)
def parse_holidays(text: str) -> tuple[frozenset[date], frozenset[tuple[int, int]]]:
    """(dates, (month, day) of every year); a ``ValidationError`` for a bad one."""
    dates: set[date] = set()
    yearly: set[tuple[int, int]] = set()
    for item in text.replace(",", " ").split():
        match = _DATE.match(item)
        try:
            if match is None:
                raise ValueError
            year, month, day = match.groups()
            # 2024 is a leap year, so 02-29 is a valid yearly date
            when = date(int(year or 2024), int(month), int(day))
        except ValueError:
            raise ValidationError(_("“%(item)s” is not a date: write YYYY-MM-DD, or MM-DD for "
                                    "every year.") % {"item": item[:40]}) from None
        if year:
            dates.add(when)
        else:
            yearly.add((when.month, when.day))
    return frozenset(dates), frozenset(yearly)


@dataclass(frozen=True)
class Hours:
    """A site's hours, parsed (see :func:`hours`)."""

    zone: zoneinfo.ZoneInfo
    week: tuple[tuple[Range, ...], ...]
    dates: frozenset[date] = frozenset()
    yearly: frozenset[tuple[int, int]] = frozenset()

    @property
    def always_open(self) -> bool:
        return not any(self.week)

    def holiday(self, day: date) -> bool:
        return day in self.dates or (day.month, day.day) in self.yearly


def hours(time_zone: str, schedule: str, holidays: str) -> Hours:
    """Parse a site's three fields (each raises ``ValidationError`` when wrong)."""
    dates, yearly = parse_holidays(holidays)
    return Hours(zone(time_zone or "UTC"), parse_week(schedule), dates, yearly)


@dataclass(frozen=True)
class State:
    """Whether a site is open at an instant, and ``until`` when that changes (the
    next closing while open, the next opening while closed; None: never)."""

    open: bool
    until: datetime | None

    @property
    def opens_at(self) -> datetime | None:
        return None if self.open else self.until


ALWAYS = State(True, None)


def _wall(day: date, minutes: int, tz: zoneinfo.ZoneInfo) -> datetime:
    """``minutes`` after midnight of ``day`` on the site's wall clock, as a UTC instant."""
    if minutes == DAY_MINUTES:
        day, minutes = day + timedelta(days=1), 0
    local = datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=tz)
    return local.astimezone(UTC)


def _openings(h: Hours, first: date) -> Iterator[tuple[datetime, datetime]]:
    """Every opening from ``first`` on, in order of start, as UTC instants."""
    for n in range(HORIZON_DAYS):
        day = first + timedelta(days=n)
        if h.holiday(day):
            continue
        for start, end in h.week[day.weekday()]:
            begin = _wall(day, start, h.zone)
            finish = _wall(day + timedelta(days=1) if end <= start else day, end, h.zone)
            if finish > begin:  # a range inside a skipped hour is no opening
                yield begin, finish


def _merged(h: Hours, first: date) -> Iterator[tuple[datetime, datetime]]:
    """The openings from ``first`` on, overlapping or touching ones joined."""
    current: tuple[datetime, datetime] | None = None
    for begin, finish in _openings(h, first):
        if current is not None and begin <= current[1]:
            current = (current[0], max(current[1], finish))
            continue
        if current is not None:
            yield current
        current = (begin, finish)
    if current is not None:
        yield current


def state_at(h: Hours, at: datetime) -> State:
    """Is the site open at ``at`` (aware), and when does that change?"""
    if h.always_open:
        return ALWAYS
    at = at.astimezone(UTC)
    # From the day before: its ranges past midnight may still be open.
    first = at.astimezone(h.zone).date() - timedelta(days=1)
    for begin, finish in _merged(h, first):
        if finish <= at:
            continue
        if begin <= at:
            return State(True, finish)
        return State(False, begin)
    return State(False, None)


def validate_week(text: str) -> None:
    parse_week(text)


def validate_holidays(text: str) -> None:
    parse_holidays(text)
