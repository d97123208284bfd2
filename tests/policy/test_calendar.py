"""China's working-day calendar, working windows and deadlines.

Official dates are from the State Council General Office's holiday notices:
- 国务院办公厅关于2025年部分节假日安排的通知 (2024-11-12): Spring Festival 1/28–2/4 off,
  1/26 (Sun) and 2/8 (Sat) worked; National Day and Mid-Autumn 10/1–10/8 off, 9/28 (Sun)
  and 10/11 (Sat) worked.
- 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04): New Year 1/1–1/3 off, 1/4 (Sun)
  worked; Spring Festival 2/15–2/23 off, 2/14 (Sat) and 2/28 (Sat) worked; Labour Day 5/1–5/5
  off, 5/9 (Sat) worked; National Day 10/1–10/7 off, 9/20 (Sun) and 10/10 (Sat) worked.
chinesecalendar 1.11.0 lists exactly these make-up days for 2025 and 2026 (checked below).
"""

from __future__ import annotations

import logging
import warnings
from datetime import date, datetime, time, timedelta

import chinese_calendar
import pytest
import yaml
from chinese_calendar.constants import workdays as official_make_up_days

from tests.fixtures.policy_files import statutory_holidays
from wecomply.errors import UserFacingError
from wecomply.policy.calendar import SHANGHAI, CalendarError, UncoveredYearWarning, WorkCalendar
from wecomply.policy.config import CalendarPolicy, DatedNote, WorkingHours, load_policy


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(n) for n in range((end - start).days + 1)]


@pytest.fixture
def cal(policy) -> WorkCalendar:
    return WorkCalendar(policy)


def test_package_make_up_days_match_the_state_council_notices():
    listed = sorted(d for d in official_make_up_days if d.year in (2025, 2026))
    assert listed == [
        date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27), date(2025, 9, 28), date(2025, 10, 11),
        date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9), date(2026, 9, 20), date(2026, 10, 10),
    ]


@pytest.mark.parametrize(
    ("make_up", "holiday_from", "holiday_to"),
    [
        ([date(2025, 1, 26), date(2025, 2, 8)], date(2025, 1, 28), date(2025, 2, 4)),  # 2025 春节
        ([date(2025, 9, 28), date(2025, 10, 11)], date(2025, 10, 1), date(2025, 10, 8)),  # 2025 国庆+中秋
        ([date(2026, 2, 14), date(2026, 2, 28)], date(2026, 2, 15), date(2026, 2, 23)),  # 2026 春节
        ([date(2026, 9, 20), date(2026, 10, 10)], date(2026, 10, 1), date(2026, 10, 7)),  # 2026 国庆
    ],
    ids=["2025-spring-festival", "2025-national-day", "2026-spring-festival", "2026-national-day"],
)
def test_make_up_days_work_and_public_holidays_do_not(cal, make_up, holiday_from, holiday_to):
    for day in make_up:
        assert day.weekday() >= 5, f"{day} should be a weekend day made into a working day"
        assert cal.is_working_day(day), day
    for day in days(holiday_from, holiday_to):
        assert not cal.is_working_day(day), day


def test_public_holidays_are_not_counted_as_working_days(cal):
    # Mon 2025-01-27 → the next working day is Wed 2025-02-05, after eight days off.
    assert cal.add_working_days(date(2025, 1, 27), 1) == date(2025, 2, 5)
    # Fri 2025-01-24 → the 调休 Sunday 2025-01-26 is the next working day.
    assert cal.add_working_days(date(2025, 1, 24), 1) == date(2025, 1, 26)
    # Sep 2025 has 23 working days: 22 weekdays plus Sunday 9/28 (no holidays inside September).
    assert cal.working_days_between(date(2025, 8, 31), date(2025, 9, 30)) == 23
    # October 2025: 23 weekdays, minus 6 weekday holidays (10/1-3, 10/6-8), plus Saturday 10/11.
    assert cal.working_days_between(date(2025, 9, 30), date(2025, 10, 31)) == 18


def test_add_and_count_working_days_agree(cal):
    start = date(2026, 2, 10)
    for n in (-15, -3, 0, 1, 5, 12):
        end = cal.add_working_days(start, n)
        assert cal.working_days_between(start, end) == n
    assert cal.add_working_days(date(2026, 3, 2), -1) == date(2026, 2, 28)  # back to the 调休 Saturday


def test_working_day_deadline_skips_national_day(cal):
    # Tue 2025-09-30 10:00 + 3 working days: 10/9 Thu, 10/10 Fri, 10/11 Sat (调休).
    assert cal.deadline(at(2025, 9, 30, 10), "3wd") == at(2025, 10, 11, 10)
    assert cal.before(at(2025, 10, 11, 10), "3wd") == at(2025, 9, 30, 10)


def test_calendar_and_hour_deadlines(cal):
    assert cal.deadline(at(2026, 3, 2, 9), "7d") == at(2026, 3, 9, 9)
    assert cal.deadline(at(2026, 3, 6, 23, 50), "30m") == at(2026, 3, 7, 0, 20)
    # A Friday 17:00 message: 24 h on the calendar ends Saturday; on working days, Monday.
    assert cal.deadline(at(2026, 3, 6, 17), "24h") == at(2026, 3, 7, 17)
    assert cal.deadline(at(2026, 3, 6, 17), "24h", clock="working_days") == at(2026, 3, 9, 17)
    # Across the 2026 Spring Festival: Sat 2026-02-14 (调休) 10:00 resumes on Tue 2026-02-24.
    assert cal.deadline(at(2026, 2, 14, 10), "24h", clock="working_days") == at(2026, 2, 24, 10)


def test_results_are_in_shanghai_even_from_utc(cal):
    from zoneinfo import ZoneInfo

    utc_friday_evening = datetime(2026, 3, 6, 12, 0, tzinfo=ZoneInfo("UTC"))  # 20:00 in Shanghai
    moved = cal.next_working_window(utc_friday_evening)
    assert moved == at(2026, 3, 9, 9) and moved.tzinfo == SHANGHAI


def test_quiet_hours_move_friday_evening_to_monday_morning(cal):
    assert cal.next_working_window(at(2026, 3, 6, 20)) == at(2026, 3, 9, 9)


def test_quiet_hours_move_to_a_make_up_saturday(cal):
    # Fri 2026-02-13 20:00 → Sat 2026-02-14 is a 调休 working day.
    assert cal.next_working_window(at(2026, 2, 13, 20)) == at(2026, 2, 14, 9)
    # Sat 2026-02-14 19:00 → the Spring Festival holiday follows; Tue 2026-02-24 09:00.
    assert cal.next_working_window(at(2026, 2, 14, 19)) == at(2026, 2, 24, 9)


def test_working_window_edges(cal):
    assert cal.next_working_window(at(2026, 3, 9, 7, 30)) == at(2026, 3, 9, 9)
    assert cal.next_working_window(at(2026, 3, 9, 10, 15)) == at(2026, 3, 9, 10, 15)
    assert cal.next_working_window(at(2026, 3, 9, 12, 30)) == at(2026, 3, 9, 13)  # lunch
    assert cal.next_working_window(at(2026, 3, 9, 18)) == at(2026, 3, 10, 9)  # end is exclusive
    assert cal.is_working_time(at(2026, 3, 9, 17, 59))
    assert not cal.is_working_time(at(2026, 10, 1, 10))  # National Day


def test_urgent_is_never_moved(cal):
    saturday_night = at(2026, 10, 3, 23, 5)
    assert cal.next_working_window(saturday_night, urgent=True) is saturday_night


def test_no_lunch_break_when_the_policy_sets_none():
    cal = WorkCalendar(CalendarPolicy(), WorkingHours(start=time(8, 30), end=time(17, 30)))
    assert cal.next_working_window(at(2026, 3, 9, 12, 30)) == at(2026, 3, 9, 12, 30)
    assert cal.next_working_window(at(2026, 3, 9, 6)) == at(2026, 3, 9, 8, 30)


def test_company_overrides_apply_on_top_of_the_official_calendar():
    settings = CalendarPolicy(
        extra_holidays=[DatedNote(date=date(2026, 2, 13), reason="年会")],
        extra_working_days=[DatedNote(date=date(2026, 6, 27), reason="盘点")],
    )
    cal = WorkCalendar(settings)
    assert not cal.is_working_day(date(2026, 2, 13))  # a Friday, now a company day off
    assert cal.is_working_day(date(2026, 6, 27))  # a Saturday, now a company working day
    assert cal.next_working_window(at(2026, 2, 12, 19)) == at(2026, 2, 14, 9)


def test_uncovered_year_warns_once_and_falls_back_to_weekends(caplog):
    year = max(WorkCalendar().covered_years) + 4
    cal = WorkCalendar(CalendarPolicy(extra_holidays=[DatedNote(date=date(year, 10, 1))]))
    monday = date(year, 1, 1) + timedelta(days=(7 - date(year, 1, 1).weekday()) % 7)
    with caplog.at_level(logging.WARNING, logger="wecomply.policy.calendar"):
        with pytest.warns(UncoveredYearWarning, match=f"no official holiday data for {year}"):
            assert cal.is_working_day(monday)
    assert str(year) in caplog.text
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not cal.is_working_day(monday + timedelta(days=5))  # Saturday, no second warning
        assert not cal.is_working_day(date(year, 10, 1))  # the company override still applies


def test_covered_years_include_2025_and_2026(cal):
    assert cal.is_covered(2025) and cal.is_covered(2026)


def test_weekends_source_ignores_official_holidays():
    cal = WorkCalendar(CalendarPolicy(source="weekends"))
    assert cal.is_working_day(date(2025, 10, 1))
    assert not cal.is_working_day(date(2025, 9, 28))


def test_naive_datetimes_are_refused(cal):
    with pytest.raises(CalendarError) as caught:
        cal.next_working_window(datetime(2026, 3, 6, 20))
    assert isinstance(caught.value, UserFacingError)
    assert "timezone-aware" in str(caught.value)
    with pytest.raises(CalendarError):
        cal.deadline(datetime(2026, 3, 6, 20), "1wd")


def test_a_calendar_without_working_days_is_an_error_not_a_hang():
    every_day = [DatedNote(date=date(2026, 1, 1) + timedelta(n)) for n in range(450)]
    cal = WorkCalendar(CalendarPolicy(extra_holidays=every_day))
    with pytest.raises(CalendarError, match="no working"):
        cal.next_working_window(at(2026, 1, 1, 10))


# The notice for 2026 (2025-11-04), as a company would enter it from the notice's text.
NOTICE_2026 = """
calendar:
  official_notices:
    2026:
      holidays:
        - {first: 2026-01-01, last: 2026-01-03, name: 元旦}
        - {first: 2026-02-15, last: 2026-02-23, name: 春节}
        - {first: 2026-04-04, last: 2026-04-06, name: 清明节}
        - {first: 2026-05-01, last: 2026-05-05, name: 劳动节}
        - {first: 2026-06-19, last: 2026-06-21, name: 端午节}
        - {first: 2026-09-25, last: 2026-09-27, name: 中秋节}
        - {first: 2026-10-01, last: 2026-10-07, name: 国庆节}
      working_days:
        - {first: 2026-01-04}
        - {first: 2026-02-14}
        - {first: 2026-02-28}
        - {first: 2026-05-09}
        - {first: 2026-09-20}
        - {first: 2026-10-10}
"""


@pytest.fixture
def notice_policy(raw_policy, write_policy):
    raw_policy["calendar"] |= yaml.safe_load(NOTICE_2026)["calendar"]
    return load_policy(write_policy(raw_policy))


@pytest.fixture
def package_before_2026(package_covering):
    """The installed chinesecalendar as a release from before the 2026 notice: its data
    stops at 2025, as 1.11.0's will stop at 2026 when 2027 comes."""
    package_covering(2025)


def test_an_entered_notice_gives_the_official_calendar_for_a_year_the_package_lacks(
    notice_policy, package_before_2026
):
    entered = WorkCalendar(notice_policy)
    assert not entered.is_covered(2026) and entered.has_official_days(2026)
    year_2026 = days(date(2026, 1, 1), date(2026, 12, 31))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UncoveredYearWarning)  # the notice is data, not a fallback
        differing = [d for d in year_2026 if entered.is_working_day(d) != chinese_calendar.is_workday(d)]
    assert differing == []
    # Deadlines across the Spring Festival count the make-up Saturday and skip the holiday.
    assert entered.add_working_days(date(2026, 2, 12), 3) == date(2026, 2, 24)


def test_without_the_notice_that_year_falls_back_and_differs_from_the_official_days(package_before_2026):
    weekdays_only = WorkCalendar()
    assert not weekdays_only.has_official_days(2026)
    with pytest.warns(UncoveredYearWarning, match="calendar.official_notices.2026"):
        assert weekdays_only.is_working_day(date(2026, 10, 5))  # National Day, a Monday


def test_without_the_notice_the_statutory_days_are_still_off(package_before_2026):
    """The law fixes 13 days off without a notice (from 2025: 元旦, 春节 from 除夕 to 初三,
    清明, 1-2 May, 端午, 中秋, 1-3 October), so a year without its notice still keeps them
    off; the substitute days, bridging days and 调休 it cannot know."""
    fallback = WorkCalendar()
    with pytest.warns(UncoveredYearWarning):
        weekdays_off = [
            d for d in days(date(2026, 1, 1), date(2026, 12, 31)) if d.weekday() < 5 and not fallback.is_working_day(d)
        ]
    # 2 May, 3 October and 清明 (5 April) 2026 fall on weekends; 春节 is 17 February.
    assert weekdays_off == [
        date(2026, 1, 1), date(2026, 2, 16), date(2026, 2, 17), date(2026, 2, 18), date(2026, 2, 19),
        date(2026, 5, 1), date(2026, 6, 19), date(2026, 9, 25), date(2026, 10, 1), date(2026, 10, 2),
    ]  # fmt: skip
    assert not any(chinese_calendar.is_workday(d) for d in weekdays_off), "each is a day off officially too"
    # What only the notice says: 2026-02-20 (a Friday) bridges 春节 to the weekend, and
    # Saturday 2026-02-14 is worked in exchange.
    assert fallback.is_working_day(date(2026, 2, 20)) and not chinese_calendar.is_workday(date(2026, 2, 20))
    assert not fallback.is_working_day(date(2026, 2, 14)) and chinese_calendar.is_workday(date(2026, 2, 14))


def test_years_on_fallback_are_those_with_neither_the_package_nor_a_notice(notice_policy, package_covering):
    package_covering(2025)
    assert WorkCalendar().years_on_fallback([2027, 2025, 2026, 2026]) == [2026, 2027]
    assert WorkCalendar(notice_policy).years_on_fallback([2025, 2026, 2027]) == [2027]  # 2026 entered
    # A company keeping its own calendar has no fallback to warn about.
    assert WorkCalendar(CalendarPolicy(source="weekends")).years_on_fallback([2026, 2027]) == []


def test_company_overrides_still_apply_on_top_of_an_entered_notice(raw_policy, write_policy, package_before_2026):
    raw_policy["calendar"] |= yaml.safe_load(NOTICE_2026)["calendar"]
    raw_policy["calendar"]["extra_holidays"] = [{"date": "2026-02-24", "reason": "年后团建"}]
    raw_policy["calendar"]["extra_working_days"] = [{"date": "2026-10-07", "reason": "值班"}]
    cal = WorkCalendar(load_policy(write_policy(raw_policy)))
    assert not cal.is_working_day(date(2026, 2, 24))
    assert cal.is_working_day(date(2026, 10, 7))
    assert not cal.is_working_day(date(2026, 10, 6))


def test_the_package_wins_once_it_covers_the_entered_year(raw_policy, write_policy):
    raw_policy["calendar"]["official_notices"] = {
        2026: {"holidays": [{"first": "2026-03-02", "name": "a mistyped day"}, *statutory_holidays(2026)]}
    }
    cal = WorkCalendar(load_policy(write_policy(raw_policy)))
    assert cal.is_working_day(date(2026, 3, 2))  # a Monday the package knows is worked
    assert cal.superseded_notices == [2026]
