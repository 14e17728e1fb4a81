"""The official working-day calendar: holidays, make-up days, deadlines, missing years."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fairscreen.shared.errors import ValidationFailed
from fairscreen.shared.workdays import (
    Calendar,
    CalendarDataError,
    UnknownCalendar,
    arrangement_year,
    load_calendar,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def cn() -> Calendar:
    return load_calendar("cn")


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _minimal(**years: Any) -> dict[str, Any]:
    return {
        "schema": "fairscreen.workdays/1",
        "code": "xx",
        "name": {"en": "Test"},
        "timezone": "Asia/Shanghai",
        "weekend": [6, 7],
        "holiday_names": {"new_years_day": {"en": "New Year's Day"}},
        "years": years,
    }


# --- the official arrangement -------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (date(2024, 2, 10), date(2024, 2, 17)),  # Spring Festival 2024
        (date(2024, 10, 1), date(2024, 10, 7)),  # National Day 2024
        (date(2025, 1, 28), date(2025, 2, 4)),  # Spring Festival 2025
        (date(2025, 10, 1), date(2025, 10, 8)),  # National Day and Mid-autumn 2025
        (date(2026, 2, 15), date(2026, 2, 23)),  # Spring Festival 2026
        (date(2026, 10, 1), date(2026, 10, 7)),  # National Day 2026
    ],
)
def test_every_day_of_a_public_holiday_period_is_a_rest_day(
    cn: Calendar, first: date, last: date
) -> None:
    assert [d for d in _days(first, last) if cn.is_working_day(d)] == []


@pytest.mark.parametrize(
    "day",
    [
        date(2024, 2, 4),  # Sunday before Spring Festival 2024
        date(2024, 9, 29),  # Sunday before National Day 2024
        date(2024, 10, 12),  # Saturday after National Day 2024
        date(2025, 1, 26),  # Sunday before Spring Festival 2025
        date(2025, 2, 8),  # Saturday after Spring Festival 2025
        date(2026, 2, 14),  # Saturday before Spring Festival 2026
        date(2026, 2, 28),  # Saturday after Spring Festival 2026
    ],
)
def test_make_up_weekend_days_are_working_days(cn: Calendar, day: date) -> None:
    assert day.isoweekday() in (6, 7)
    assert cn.is_working_day(day)


def test_ordinary_weekdays_work_and_ordinary_weekends_rest(cn: Calendar) -> None:
    assert cn.is_working_day(date(2025, 3, 12))  # Wednesday
    assert not cn.is_working_day(date(2025, 3, 15))  # Saturday
    assert not cn.is_working_day(date(2025, 3, 16))  # Sunday


def test_a_notice_reaching_into_the_previous_december_is_honoured(cn: Calendar) -> None:
    # The 2019 notice: Saturday 2018-12-29 worked, Monday 2018-12-31 rested.
    assert cn.is_working_day(date(2018, 12, 29))
    assert not cn.is_working_day(date(2018, 12, 31))
    assert arrangement_year(date(2018, 12, 31)) == 2019
    assert arrangement_year(date(2018, 12, 23)) == 2018


def test_holiday_code_names_what_a_day_rests_or_works_for(cn: Calendar) -> None:
    assert cn.holiday_code(date(2025, 1, 29)) == "spring_festival"
    assert cn.holiday_code(date(2025, 1, 26)) == "spring_festival"
    assert cn.holiday_code(date(2025, 3, 12)) is None
    assert cn.holiday_names["spring_festival"]["zh-Hans"] == "春节"


def test_shipped_calendar_agrees_with_chinese_calendar_on_every_day_2004_to_2026(
    cn: Calendar,
) -> None:
    chinese_calendar = pytest.importorskip("chinese_calendar")
    wrong = [
        d
        for d in _days(date(2004, 1, 1), date(2026, 12, 31))
        if cn.is_working_day(d) != chinese_calendar.is_workday(d)
    ]
    assert wrong == []


def test_the_package_never_imports_chinese_calendar_at_run_time() -> None:
    code = (
        "import sys\n"
        "from fairscreen.shared.workdays import load_calendar\n"
        "load_calendar().add_working_days(__import__('datetime').date(2025, 1, 1), 30)\n"
        "sys.exit(1 if 'chinese_calendar' in sys.modules else 0)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    assert subprocess.run([sys.executable, "-c", code], env=env, check=False).returncode == 0


# --- deadlines --------------------------------------------------------------------


def test_deadline_counts_the_make_up_sunday_and_skips_spring_festival(cn: Calendar) -> None:
    # Fri 24 Jan 2025: Sun 26 (make-up) is 1, Mon 27 is 2, 28 Jan-4 Feb rest, Wed 5 Feb is 3.
    deadline = cn.add_working_days(date(2025, 1, 24), 3)
    assert deadline.at == date(2025, 2, 5)
    assert deadline.day == date(2025, 2, 5)
    assert not deadline.provisional
    assert deadline.missing_years == ()
    assert deadline.calendar_version == cn.version


def test_five_working_days_after_national_day_eve_2024(cn: Calendar) -> None:
    # Mon 30 Sep 2024; 1-7 Oct rest; Tue 8, Wed 9, Thu 10, Fri 11, Sat 12 (make-up).
    assert cn.add_working_days(date(2024, 9, 30), 5).day == date(2024, 10, 12)


def test_the_start_day_never_counts(cn: Calendar) -> None:
    assert cn.add_working_days(date(2025, 3, 10), 1).day == date(2025, 3, 11)
    assert cn.add_working_days(date(2025, 10, 1), 1).day == date(2025, 10, 9)


def test_zero_working_days_is_the_start_itself(cn: Calendar) -> None:
    start = datetime(2025, 10, 3, 9, 30, tzinfo=SHANGHAI)
    deadline = cn.add_working_days(start, 0)
    assert deadline.at == start
    assert not deadline.provisional


def test_deadline_keeps_the_local_clock_time_of_the_start(cn: Calendar) -> None:
    start = datetime(2025, 1, 24, 15, 45, 12, tzinfo=SHANGHAI)
    assert cn.add_working_days(start, 3).at == datetime(2025, 2, 5, 15, 45, 12, tzinfo=SHANGHAI)


def test_the_local_date_in_shanghai_decides_not_the_utc_date(cn: Calendar) -> None:
    # 17:00 UTC on Sunday 28 Sep 2025 is 01:00 on Monday 29 Sep in Shanghai.
    start = datetime(2025, 9, 28, 17, 0, tzinfo=UTC)
    deadline = cn.add_working_days(start, 1)
    assert deadline.at == datetime(2025, 9, 30, 1, 0, tzinfo=SHANGHAI)
    assert isinstance(deadline.at, datetime)
    assert deadline.at.utcoffset() == timedelta(hours=8)


def test_negative_working_days_are_refused(cn: Calendar) -> None:
    with pytest.raises(ValueError):
        cn.add_working_days(date(2025, 1, 1), -1)


def test_a_naive_datetime_is_refused(cn: Calendar) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        cn.add_working_days(datetime(2025, 1, 1, 9, 0), 1)


def test_working_days_between_counts_after_a_up_to_b(cn: Calendar) -> None:
    assert cn.working_days_between(date(2025, 1, 24), date(2025, 2, 5)) == 3
    assert cn.working_days_between(date(2025, 2, 5), date(2025, 1, 24)) == -3
    assert cn.working_days_between(date(2025, 1, 24), date(2025, 1, 24)) == 0


# --- years without data -------------------------------------------------------------


def test_deadline_running_into_2027_is_provisional_and_names_the_missing_year(
    cn: Calendar,
) -> None:
    deadline = cn.add_working_days(datetime(2026, 12, 21, 10, 0, tzinfo=SHANGHAI), 15)
    assert deadline.provisional
    assert deadline.missing_years == (2027,)
    # Without data 2027 counts Monday to Friday: 22, 23, 24, 25, 28-31 Dec, then 1-8, 11 Jan.
    assert deadline.day == date(2027, 1, 11)


def test_a_year_without_data_counts_monday_to_friday(cn: Calendar) -> None:
    assert cn.is_working_day(date(2027, 1, 1))  # a Friday; the 2027 notice is not loaded
    assert not cn.is_working_day(date(2027, 1, 2))
    assert not cn.is_working_day(date(2027, 1, 3))


def test_a_deadline_inside_a_year_with_data_is_final(cn: Calendar) -> None:
    deadline = cn.add_working_days(date(2026, 12, 20), 3)
    assert deadline.day == date(2026, 12, 23)
    assert not deadline.provisional


def test_late_december_waits_for_the_next_years_arrangement(cn: Calendar) -> None:
    deadline = cn.add_working_days(date(2026, 12, 20), 4)
    assert deadline.day == date(2026, 12, 24)
    assert deadline.provisional
    assert deadline.missing_years == (2027,)


def test_missing_years_names_every_year_without_data(cn: Calendar) -> None:
    assert cn.missing_years(date(2002, 6, 1), date(2028, 1, 5)) == (2002, 2003, 2027, 2028)
    assert cn.missing_years(date(2024, 1, 1), date(2026, 12, 23)) == ()
    assert cn.years == tuple(range(2004, 2027))


def test_adding_the_2027_arrangement_makes_deadlines_final(cn: Calendar) -> None:
    updated = cn.merged_with(
        {"2027": {"holidays": {"2027-01-01": "new_years_day"}, "workdays": {}, "source": "test"}}
    )
    assert not updated.is_working_day(date(2027, 1, 1))
    deadline = updated.add_working_days(date(2026, 12, 21), 15)
    assert not deadline.provisional
    assert deadline.day == date(2027, 1, 12)
    assert updated.version != cn.version
    assert deadline.calendar_version == updated.version
    assert cn.is_working_day(date(2027, 1, 1))  # the original is unchanged


def test_an_update_replaces_the_whole_year(cn: Calendar) -> None:
    updated = cn.merged_with({"2025": {"holidays": {}, "workdays": {}}})
    assert updated.is_working_day(date(2025, 1, 28))
    assert not updated.is_working_day(date(2025, 1, 26))
    assert not cn.is_working_day(date(2025, 1, 28))


def test_an_update_may_add_a_holiday_name(cn: Calendar) -> None:
    updated = cn.merged_with(
        {"2027": {"holidays": {"2027-09-03": "victory_day"}, "workdays": {}}},
        holiday_names={"victory_day": {"zh-Hans": "胜利日", "en": "Victory Day"}},
    )
    assert updated.holiday_code(date(2027, 9, 3)) == "victory_day"


def test_the_version_follows_the_content_not_the_formatting(cn: Calendar) -> None:
    again = Calendar.from_data(cn.to_data())
    assert again.version == cn.version
    assert again.sha256 == cn.sha256
    assert again.to_data() == cn.to_data()


def test_unknown_calendar_code_is_refused() -> None:
    with pytest.raises(UnknownCalendar):
        load_calendar("zz")
    with pytest.raises(UnknownCalendar):
        load_calendar("../../etc/passwd")


# --- schema validation --------------------------------------------------------------


@pytest.mark.parametrize(
    ("year_body", "message"),
    [
        ({"holidays": {}, "workdays": {"2025-03-12": "new_years_day"}}, "not a weekend"),
        ({"holidays": {"2024-06-03": "new_years_day"}, "workdays": {}}, "another year"),
        ({"holidays": {"2025-01-01": "nope"}, "workdays": {}}, "unknown holiday"),
        ({"holidays": {"2025-13-01": "new_years_day"}, "workdays": {}}, "bad date"),
        ({"holidays": {"20250101": "new_years_day"}, "workdays": {}}, "bad date"),
        ({"holidays": {}}, "workdays must be"),
        ({"holidays": {}, "workdays": {}, "extra": 1}, "unknown keys"),
        (
            {
                "holidays": {"2025-01-04": "new_years_day"},
                "workdays": {"2025-01-04": "new_years_day"},
            },
            "both rest and work",
        ),
    ],
)
def test_a_malformed_year_is_refused(year_body: dict[str, Any], message: str) -> None:
    with pytest.raises(CalendarDataError, match=message):
        Calendar.from_data(_minimal(**{"2025": year_body}))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"schema": "other/1"}, "schema"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"weekend": [1, 2, 3, 4, 5, 6, 7]}, "weekend"),
        ({"weekend": [0]}, "weekend"),
        ({"code": "CN!"}, "code"),
        ({"name": {"fr": "Test"}}, "language"),
        ({"years": {"25": {"holidays": {}, "workdays": {}}}}, "bad year"),
        ({"colour": "red"}, "unknown keys"),
    ],
)
def test_a_malformed_calendar_is_refused(change: dict[str, Any], message: str) -> None:
    with pytest.raises(CalendarDataError, match=message):
        Calendar.from_data({**_minimal(), **change})


def test_invalid_calendar_data_carries_the_validation_error_code() -> None:
    with pytest.raises(ValidationFailed) as caught:
        Calendar.from_data({})
    assert caught.value.code == "validation_error"


def test_an_admin_update_with_a_bad_year_leaves_nothing_half_applied(cn: Calendar) -> None:
    with pytest.raises(CalendarDataError):
        cn.merged_with({"2027": {"holidays": {"2027-01-01": "unknown"}, "workdays": {}}})
    assert 2027 not in cn.years


# --- properties ---------------------------------------------------------------------

starts = st.dates(min_value=date(2001, 1, 1), max_value=date(2029, 12, 31))
counts = st.integers(min_value=0, max_value=80)


@settings(max_examples=300, deadline=None)
@given(start=starts, n=counts)
def test_adding_n_working_days_lands_on_a_working_day_n_working_days_later(
    cn: Calendar, start: date, n: int
) -> None:
    deadline = cn.add_working_days(start, n)
    assert cn.working_days_between(start, deadline.at) == n
    if n:
        assert cn.is_working_day(deadline.day)
        # Nothing earlier would do: the day before holds only n - 1 working days.
        assert cn.working_days_between(start, deadline.day - timedelta(days=1)) == n - 1


@settings(max_examples=300, deadline=None)
@given(start=starts, n=counts)
def test_a_deadline_is_provisional_exactly_when_a_counted_day_lacks_data(
    cn: Calendar, start: date, n: int
) -> None:
    deadline = cn.add_working_days(start, n)
    needed = {
        arrangement_year(start + timedelta(days=i))
        for i in range(1, (deadline.day - start).days + 1)
    }
    assert deadline.missing_years == tuple(sorted(needed - set(cn.years)))
    assert deadline.provisional == bool(deadline.missing_years)


@settings(max_examples=200, deadline=None)
@given(
    moment=st.datetimes(min_value=datetime(2003, 1, 1), max_value=datetime(2028, 12, 31)),
    offset_minutes=st.integers(min_value=-12 * 60, max_value=14 * 60),
    n=st.integers(min_value=1, max_value=40),
)
def test_a_datetime_deadline_keeps_the_shanghai_clock_time(
    cn: Calendar, moment: datetime, offset_minutes: int, n: int
) -> None:
    start = moment.replace(tzinfo=timezone(timedelta(minutes=offset_minutes)))
    deadline = cn.add_working_days(start, n)
    assert isinstance(deadline.at, datetime)
    local_start = start.astimezone(SHANGHAI)
    assert deadline.at.tzinfo == SHANGHAI
    assert deadline.at.time() == local_start.time()
    assert deadline.at.date() == deadline.day
    assert cn.working_days_between(start, deadline.at) == n
