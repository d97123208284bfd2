"""When HR and admin are told that a year's holiday notice is missing, and how often; and
when they hear what was read from one entered."""

from __future__ import annotations

from datetime import date

import pytest

from tests.fixtures.duty_runs import at
from tests.fixtures.policy_files import statutory_holidays
from wecomply.duties.calendar_upkeep import (
    CONFIRM_STEP,
    STEP,
    entered_notice_actions,
    missing_notice_actions,
    reminder_period,
)
from wecomply.duties.model import ActionKind, Duty
from wecomply.policy.calendar import UncoveredYearWarning, WorkCalendar
from wecomply.policy.config import CalendarPolicy, OfficialNotice

STAFF = ("hr1", "admin1")


@pytest.fixture(autouse=True)
def package_through_2026(package_covering):
    """chinesecalendar as 1.11.0 is: its data ends with 2026, whatever is installed later."""
    package_covering(2026)


@pytest.mark.parametrize(
    "year, today, period",
    [
        (2027, date(2026, 11, 2), "2026-11"),  # the notice may not be out: once in November
        (2027, date(2026, 11, 30), "2026-11"),
        (2027, date(2026, 12, 7), "2026-W50"),  # from December, every week
        (2027, date(2026, 12, 28), "2026-W53"),
        (2027, date(2027, 1, 4), "2027-W01"),  # the year has begun without it
        (2027, date(2027, 3, 1), "2027-W09"),
    ],
)
def test_reminder_period(year: int, today: date, period: str) -> None:
    assert reminder_period(year, today) == period


def test_nothing_before_the_notice_season() -> None:
    assert missing_notice_actions(now=at("2026-10-30 10:00"), calendar=WorkCalendar(), recipients=STAFF) == ()


def test_from_november_hr_and_admin_are_told_about_next_year() -> None:
    now = at("2026-11-02 10:00")
    (action,) = missing_notice_actions(now=now, calendar=WorkCalendar(), recipients=STAFF)
    assert (action.kind, action.duty, action.subject, action.period, action.step) == (
        ActionKind.NOTIFY, Duty.CALENDAR, "2027", "2026-11", STEP,
    )
    assert action.recipients == STAFF and not action.urgent and action.send_at == now


def test_outside_working_hours_the_reminder_waits_for_the_next_window() -> None:
    (action,) = missing_notice_actions(now=at("2026-12-05 10:00"), calendar=WorkCalendar(), recipients=STAFF)
    assert action.send_at == at("2026-12-07 09:00")  # Saturday → Monday morning


def test_an_entered_notice_ends_the_reminders() -> None:
    notice = OfficialNotice.model_validate({"holidays": statutory_holidays(2027)})
    calendar = WorkCalendar(CalendarPolicy(official_notices={2027: notice}))
    assert missing_notice_actions(now=at("2026-12-07 10:00"), calendar=calendar, recipients=STAFF) == ()


def test_a_weekends_only_calendar_needs_no_notice() -> None:
    calendar = WorkCalendar(CalendarPolicy(source="weekends"))
    assert missing_notice_actions(now=at("2026-12-07 10:00"), calendar=calendar, recipients=STAFF) == ()


def test_nobody_to_tell_gives_no_action() -> None:
    assert missing_notice_actions(now=at("2026-12-07 10:00"), calendar=WorkCalendar(), recipients=()) == ()


def test_a_year_begun_without_its_notice_is_reminded_weekly() -> None:
    with pytest.warns(UncoveredYearWarning):  # finding the working window reads 2027 itself
        (action,) = missing_notice_actions(now=at("2027-01-04 10:00"), calendar=WorkCalendar(), recipients=STAFF)
    assert (action.subject, action.period) == ("2027", "2027-W01")


def _entered(*extra_days: dict[str, str], source: str = "chinese_calendar") -> WorkCalendar:
    notice = OfficialNotice.model_validate({"holidays": [*statutory_holidays(2027), *extra_days]})
    return WorkCalendar(CalendarPolicy(source=source, official_notices={2027: notice}))


def test_an_entered_notice_is_confirmed_once_per_content() -> None:
    now = at("2026-12-07 10:00")
    (action,) = entered_notice_actions(now=now, calendar=_entered(), recipients=STAFF)
    assert (action.kind, action.duty, action.subject, action.step, action.recipients) == (
        ActionKind.NOTIFY, Duty.CALENDAR, "2027", CONFIRM_STEP, STAFF,
    )
    assert action.period.startswith("2027-") and not action.urgent and action.send_at == now
    # The same notice next week is the same action (the outbox sends it once); a corrected
    # notice is a new one.
    (again,) = entered_notice_actions(now=at("2026-12-14 10:00"), calendar=_entered(), recipients=STAFF)
    assert again.key == action.key
    (corrected,) = entered_notice_actions(
        now=now, calendar=_entered({"first": "2027-02-05", "last": "2027-02-12", "name": "春节"}), recipients=STAFF
    )
    assert corrected.period != action.period and corrected.step == CONFIRM_STEP


def test_no_confirmation_out_of_season_once_covered_or_for_a_calendar_of_its_own(package_covering) -> None:
    assert entered_notice_actions(now=at("2026-10-30 10:00"), calendar=_entered(), recipients=STAFF) == ()
    assert entered_notice_actions(now=at("2026-12-07 10:00"), calendar=_entered(), recipients=()) == ()
    weekends = _entered(source="weekends")
    assert entered_notice_actions(now=at("2026-12-07 10:00"), calendar=weekends, recipients=STAFF) == ()
    package_covering(2027)  # a chinesecalendar release with 2027: the entry is not used
    assert entered_notice_actions(now=at("2026-12-07 10:00"), calendar=_entered(), recipients=STAFF) == ()
