"""The range of days a report covers, read in the site's time zone.

``from`` and ``to`` are dates (``2025-03-01``), both days included; a day runs
from the site's midnight to its next midnight (23 or 25 hours on the days its
clocks change). Missing, they are the last ``DEFAULT_DAYS`` days up to today.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from papo.errors import PapoError
from sites import hours

DEFAULT_DAYS = 30
PRESET_DAYS = (7, 30, 90)
MAX_DAYS = 366  # a year (a leap one too) at most: a report is a page, not an export of all time


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # included
    zone: zoneinfo.ZoneInfo

    @property
    def start(self) -> datetime:
        """The first day's midnight in the site's zone, as an instant."""
        return midnight(self.first, self.zone)

    @property
    def end(self) -> datetime:
        """The midnight after the last day: the range is ``[start, end)``."""
        return midnight(self.last + timedelta(days=1), self.zone)

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]


def midnight(day: date, zone: zoneinfo.ZoneInfo) -> datetime:
    """The instant a day starts in ``zone`` (a midnight the clocks skip: the first
    instant after it, as ``zoneinfo`` reads a time that does not exist)."""
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def site_zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return hours.zone(name)
    except ValidationError:  # written past validation (a shell): UTC, as the hours do
        return zoneinfo.ZoneInfo("UTC")


def parse(zone_name: str, first: str | None, last: str | None,
          today: date | None = None) -> Period:
    """The period ``first``..``last`` (ISO dates) in the zone named ``zone_name``;
    ``PapoError("invalid")`` for a date that is not one, a range that ends before it
    starts, or one longer than ``MAX_DAYS``."""
    zone = site_zone(zone_name)
    today = today or timezone.now().astimezone(zone).date()
    end = _date(last, "to") if last else today
    start = _date(first, "from") if first else end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise PapoError("invalid", "the range ends before it starts")
    if (end - start).days + 1 > MAX_DAYS:
        raise PapoError("invalid", f"a range is at most {MAX_DAYS} days")
    if end >= date.max - timedelta(days=1):
        raise PapoError("invalid", "that date is too far away")
    return Period(start, end, zone)


def presets(zone_name: str, today: date | None = None) -> list[dict]:
    """The usual ranges up to today, for one-click links: the last 7, 30 and 90 days."""
    zone = site_zone(zone_name)
    today = today or timezone.now().astimezone(zone).date()
    return [{"days": n, "first": today - timedelta(days=n - 1), "last": today}
            for n in PRESET_DAYS]


def _date(value: str, name: str) -> date:
    try:
        if len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError as exc:
        raise PapoError("invalid", f"{name} must be a date such as 2025-03-01") from exc
