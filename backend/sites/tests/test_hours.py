"""Business hours (sites/hours.py): the text a site owner writes, and the one function
that says whether the site is open at an instant and when that changes, across
midnight, holidays and daylight-saving changes (real zoneinfo data)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from sites import hours

LISBON = "Europe/Lisbon"  # UTC+0 in winter, +1 in summer; clocks change at 01:00 UTC
NEW_YORK = "America/New_York"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def at(zone: str, schedule: str, when: str, holidays: str = "") -> hours.State:
    return hours.state_at(hours.hours(zone, schedule, holidays), utc(when))


def test_the_schedule_reads_days_ranges_and_lists():
    week = hours.parse_week("Mon-Fri 09:00-12:00, 13:00-18:00\nsat 10:00-14:00\n\n# note\n"
                            "fri-mon 22:00-02:00\nsun,wed 7:30-24:00")
    mon, tue, wed, thu, fri, sat, sun = week
    assert mon == ((540, 720), (780, 1080), (1320, 120))
    assert tue == thu == ((540, 720), (780, 1080))
    assert wed == ((450, 1440), (540, 720), (780, 1080))
    assert fri == ((540, 720), (780, 1080), (1320, 120))
    assert sat == ((600, 840), (1320, 120))  # fri-mon wraps round the week end
    assert sun == ((450, 1440), (1320, 120))
    assert hours.parse_week("") == ((),) * 7


@pytest.mark.parametrize("line", [
    "mon 9-17", "monday 09:00-17:00", "mon 09:00-09:00", "mon 25:00-26:00", "mon 09:60-10:00",
    "mon 24:00-02:00", "09:00-17:00", "mon", "xyz 09:00-10:00", "mon 09:00-17:00 lunch",
])
def test_a_schedule_line_that_is_not_well_formed_is_refused_with_its_line(line):
    with pytest.raises(ValidationError) as err:
        hours.parse_week("tue 09:00-10:00\n" + line)
    assert "Line 2" in err.value.messages[0]


def test_holidays_are_dates_or_yearly_days():
    dates, yearly = hours.parse_holidays("2026-12-24\n12-25, 01-01 02-29")
    assert {d.isoformat() for d in dates} == {"2026-12-24"}
    assert yearly == {(12, 25), (1, 1), (2, 29)}
    for bad in ("2026-02-30", "25/12", "12-32", "tomorrow"):
        with pytest.raises(ValidationError):
            hours.parse_holidays(bad)


def test_time_zones_are_iana_names():
    hours.validate_time_zone("America/Sao_Paulo")
    for bad in ("Mars/Olympus", "GMT+3 ", "../etc/passwd", ""):
        with pytest.raises(ValidationError):
            hours.validate_time_zone(bad)
    assert ("Europe/Lisbon", "Europe/Lisbon") in hours.zone_choices()


def test_an_empty_schedule_is_always_open():
    assert at("UTC", "", "2026-12-07T03:00") == hours.State(True, None)
    assert at(LISBON, "  \n", "2026-12-25T03:00", holidays="12-25").open


def test_open_closed_and_the_next_change_on_an_ordinary_day():
    week = "mon-fri 09:00-12:00 13:00-18:00"  # 2026-12-07 is a Monday; Lisbon is UTC+0
    assert at(LISBON, week, "2026-12-07T08:59") == hours.State(False, utc("2026-12-07T09:00"))
    assert at(LISBON, week, "2026-12-07T09:00") == hours.State(True, utc("2026-12-07T12:00"))
    assert at(LISBON, week, "2026-12-07T12:00") == hours.State(False, utc("2026-12-07T13:00"))
    # Friday evening: next Monday morning
    assert at(LISBON, week, "2026-12-11T18:00") == hours.State(False, utc("2026-12-14T09:00"))
    assert at(LISBON, week, "2026-12-11T18:00").opens_at == utc("2026-12-14T09:00")
    assert at(LISBON, week, "2026-12-11T17:00").opens_at is None


def test_ranges_past_midnight_belong_to_the_day_they_start():
    night = "fri 22:00-02:00\nsat 10:00-12:00"
    assert at("UTC", night, "2026-12-11T21:59") == hours.State(False, utc("2026-12-11T22:00"))
    assert at("UTC", night, "2026-12-11T23:30") == hours.State(True, utc("2026-12-12T02:00"))
    # Saturday 01:00 is still Friday's shift (asked the next day, it is found)
    assert at("UTC", night, "2026-12-12T01:00") == hours.State(True, utc("2026-12-12T02:00"))
    assert at("UTC", night, "2026-12-12T02:00") == hours.State(False, utc("2026-12-12T10:00"))


def test_touching_ranges_are_one_opening():
    nonstop = "mon 20:00-24:00\ntue 00:00-08:00\nmon 23:00-01:00"
    assert at("UTC", nonstop, "2026-12-07T21:00") == hours.State(True, utc("2026-12-08T08:00"))
    # all week round the clock: open, and it never closes
    assert at("UTC", "mon-sun 00:00-24:00", "2026-12-09T12:00").open
    assert at("UTC", "mon-sun 00:00-24:00", "2026-12-09T12:00").until is not None


def test_holidays_close_the_ranges_that_start_on_them():
    week = "mon-fri 09:00-17:00\nthu 22:00-02:00"
    # 2026-12-25 is a Friday: closed; next opening Monday the 28th
    state = at("UTC", week, "2026-12-24T18:00", holidays="12-25")
    assert state == hours.State(False, utc("2026-12-24T22:00"))  # Thursday's night shift runs
    assert at("UTC", week, "2026-12-25T01:00", holidays="12-25").open  # ...into the holiday
    assert at("UTC", week, "2026-12-25T10:00", holidays="12-25") == hours.State(
        False, utc("2026-12-28T09:00"))
    # a dated holiday only that year
    assert at("UTC", week, "2027-12-24T10:00", holidays="2026-12-24").open
    assert not at("UTC", week, "2026-12-24T10:00", holidays="2026-12-24").open


def test_holidays_all_year_leave_no_next_opening():
    every_day = " ".join(f"{m:02d}-{d:02d}" for m in range(1, 13) for d in range(1, 32)
                         if (m, d) not in {(2, 30), (2, 31), (4, 31), (6, 31), (9, 31),
                                           (11, 31)})
    assert at("UTC", "mon-fri 09:00-17:00", "2026-12-07T10:00",
              holidays=every_day) == hours.State(False, None)


def test_hours_follow_the_sites_clock_across_daylight_saving():
    week = "mon-sun 09:00-17:00"
    # Lisbon: 09:00 is 09:00 UTC in winter and 08:00 UTC in summer
    assert at(LISBON, week, "2026-03-28T10:00") == hours.State(True, utc("2026-03-28T17:00"))
    # clocks go forward on Sunday 2026-03-29 at 01:00 UTC: that day opens an hour earlier (UTC)
    assert at(LISBON, week, "2026-03-28T17:30") == hours.State(False, utc("2026-03-29T08:00"))
    assert at(LISBON, week, "2026-03-29T16:30") == hours.State(False, utc("2026-03-30T08:00"))
    # and back on Sunday 2026-10-25
    assert at(LISBON, week, "2026-10-24T17:00") == hours.State(False, utc("2026-10-25T09:00"))
    # New York, evening hours past midnight across the spring change (2026-03-08 02:00 local)
    night = "sat 20:00-04:00"
    state = at(NEW_YORK, night, "2026-03-08T01:00")  # Saturday 20:00 EST = 01:00 UTC
    assert state == hours.State(True, utc("2026-03-08T08:00"))  # Sunday 04:00 EDT: 7 hours


def test_a_wall_time_that_does_not_exist_or_happens_twice():
    # New York 2026-03-08: 02:00-03:00 does not exist; an opening at 02:30 is read with
    # the offset before the jump (07:30 UTC, which the wall clock shows as 03:30)
    assert at(NEW_YORK, "sun 02:30-05:00", "2026-03-08T06:00") == hours.State(
        False, utc("2026-03-08T07:30"))
    # a range inside the skipped hour moves with it: 03:10 to 03:50 on the wall
    assert at(NEW_YORK, "sun 02:10-02:50", "2026-03-08T07:20") == hours.State(
        True, utc("2026-03-08T07:50"))
    # one from inside it to just past it ends before it starts: no opening that day
    assert at(NEW_YORK, "sun 02:30-03:10", "2026-03-08T06:00").opens_at == utc(
        "2026-03-15T06:30")
    # 2026-11-01: 01:00-02:00 happens twice; 01:30 is the first one (EDT, 05:30 UTC)
    assert at(NEW_YORK, "sun 01:30-03:00", "2026-11-01T04:00") == hours.State(
        False, utc("2026-11-01T05:30"))
