"""The statutory days off, held against chinesecalendar's record of every State Council
notice since the law gave 清明, 端午 and 中秋 a day (2008): a lunar or solar-term date a day
off would show as an official working day here."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from wecomply.policy.statutory import (
    STATUTORY_SINCE,
    fixed_days_off,
    lunar_days_off,
    qingming,
    statutory_days_off,
    tabled_days_off,
)

OFFICIAL_YEARS = range(2008, 2027)  # 2008: 清明, 端午, 中秋 became days off; 2026: the package's last


@pytest.mark.parametrize("year", OFFICIAL_YEARS)
def test_the_lunar_and_solar_term_days_were_official_days_off(year: int) -> None:
    spring_eve, *rest = lunar_days_off(year)
    assert len(rest) == 5 and rest[0] == spring_eve + timedelta(days=1)  # 除夕, then 初一 to 初三
    rest.append(qingming(year))
    # 除夕 was a statutory day off in 2008-2013, and again since 2025.
    checked = rest if year < STATUTORY_SINCE and year > 2013 else [spring_eve, *rest]
    worked = [d for d in checked if chinese_calendar.is_workday(d)]
    assert worked == [], f"{year}: {worked} were official working days"


@pytest.mark.parametrize("year", [2025, 2026])
def test_every_statutory_day_since_the_law_was_off(year: int) -> None:
    days = statutory_days_off(year)
    assert len(days) == 13
    assert [d for d in sorted(days) if chinese_calendar.is_workday(d)] == []


def test_2027_the_first_year_the_package_lacks() -> None:
    spring = date(2027, 2, 6)  # 正月初一, a Saturday
    assert statutory_days_off(2027) == {
        date(2027, 1, 1), *(spring + timedelta(days=n) for n in range(-1, 3)), date(2027, 4, 5),
        date(2027, 5, 1), date(2027, 5, 2), date(2027, 6, 9), date(2027, 9, 15),
        date(2027, 10, 1), date(2027, 10, 2), date(2027, 10, 3),
    }  # fmt: skip


def test_before_the_law_no_year_keeps_any() -> None:
    assert statutory_days_off(2024) == frozenset()
    assert fixed_days_off(2024)[0] == date(2024, 1, 1)  # the dates themselves are still known


def test_a_notice_is_held_to_the_tabled_days_only() -> None:
    """清明 comes from a formula: the policy does not refuse a notice over it."""
    assert statutory_days_off(2027) - tabled_days_off(2027) == {date(2027, 4, 5)}
