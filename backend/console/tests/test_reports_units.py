"""The reports' small rules without a server: a range of days in the site's zone
(clocks that change inside it), and a CSV cell a spreadsheet will not run."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from console.reports import export, period
from papo.errors import PapoError


def test_a_range_is_its_days_midnight_to_midnight_in_the_sites_zone():
    p = period.parse("America/Sao_Paulo", "2025-03-01", "2025-03-03")
    assert (p.start, p.end) == (datetime(2025, 3, 1, 3, tzinfo=UTC),
                                datetime(2025, 3, 4, 3, tzinfo=UTC))
    assert p.days == [date(2025, 3, 1), date(2025, 3, 2), date(2025, 3, 3)]


def test_a_day_the_clocks_change_is_23_or_25_hours_long():
    spring = period.parse("Europe/Lisbon", "2025-03-30", "2025-03-30")
    assert (spring.end - spring.start).total_seconds() == 23 * 3600
    autumn = period.parse("Europe/Lisbon", "2025-10-26", "2025-10-26")
    assert (autumn.end - autumn.start).total_seconds() == 25 * 3600


def test_without_dates_the_last_30_days_up_to_today_there():
    p = period.parse("Pacific/Kiritimati", None, None, today=date(2025, 3, 31))
    assert (p.first, p.last) == (date(2025, 3, 2), date(2025, 3, 31))
    assert [(x["days"], x["first"]) for x in period.presets("UTC", today=date(2025, 3, 31))] == [
        (7, date(2025, 3, 25)), (30, date(2025, 3, 2)), (90, date(2025, 1, 1))]


def test_a_zone_that_is_not_one_reads_as_utc():
    assert period.parse("Mars/Olympus", "2025-03-01", "2025-03-01").start == datetime(
        2025, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize(("first", "last"), [
    ("2025-03-02", "2025-03-01"),  # backwards
    ("2024-02-29", "2025-03-01"),  # 366 days and one
    ("2025-3-1", "2025-03-02"),  # not an ISO date
    ("2025-02-30", "2025-03-02"),
    ("2025-03-01", "9999-12-31"),
])
def test_a_range_that_is_not_one_is_refused(first, last):
    with pytest.raises(PapoError) as exc:
        period.parse("UTC", first, last)
    assert exc.value.code == "invalid"


def test_a_year_is_the_longest_range():
    p = period.parse("UTC", "2024-01-01", "2024-12-31")  # a leap year: 366 days
    assert len(p.days) == period.MAX_DAYS


@pytest.mark.parametrize(("value", "written"), [
    ("=HYPERLINK(\"http://evil.example\")", "'=HYPERLINK(\"http://evil.example\")"),
    ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("Ana", "Ana"), ("Ana = boss", "Ana = boss"), ("", ""), (None, ""),
    (-5, -5), (3.5, 3.5),  # numbers are numbers, never escaped
])
def test_a_csv_cell_that_a_spreadsheet_would_run_is_text(value, written):
    assert export.cell(value) == written
