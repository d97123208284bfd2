"""The statutory days off of a year, by 《全国年节及纪念日放假办法》 as revised in 2024.

In force from 2025, 13 days: 元旦 1 January; 春节 from 除夕 to 正月初三 (4 days); 清明节 the
day of the 清明 solar term; 劳动节 1-2 May; 端午节 五月初五; 中秋节 八月十五; 国庆节 1-3 October.
These need no notice, so a year without its State Council notice still knows them, and every
notice lists them. What only the notice says: the substitute day for one on a weekend (补假),
the bridging days and every make-up working day (调休).

The lunar dates come from lunardate (tables for 1900-2099) and the solar term from
chinesecalendar's formula; tests/policy/test_statutory.py holds both against every official
day off of 2008-2026 in chinesecalendar's data.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

STATUTORY_FIXED_DAYS_OFF: frozenset[tuple[int, int]] = frozenset({(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)})
# Earlier years had other rules (除夕 was a working day in 2014-2024); they keep none here.
STATUTORY_SINCE = 2025


def fixed_days_off(year: int) -> list[date]:
    """The year's statutory days off with a fixed Gregorian date, in order."""
    return sorted(date(year, month, day) for month, day in STATUTORY_FIXED_DAYS_OFF)


def lunar_days_off(year: int) -> list[date]:
    """春节 (除夕 to 初三), 端午 and 中秋 of the Gregorian `year`, in order."""
    from lunardate import LunarDate

    new_year = LunarDate(year, 1, 1).to_solar_date()
    # 除夕 is the day before 正月初一, whether 腊月 has 29 days or 30.
    spring = [new_year + timedelta(days=n) for n in range(-1, 3)]
    return [*spring, LunarDate(year, 5, 5).to_solar_date(), LunarDate(year, 8, 15).to_solar_date()]


def qingming(year: int) -> date:
    """The day of the 清明 solar term (4 or 5 April)."""
    from chinese_calendar import get_solar_terms

    ((day, _),) = get_solar_terms(date(year, 4, 1), date(year, 4, 10))
    return day


@cache
def tabled_days_off(year: int) -> frozenset[date]:
    """The statutory days off of `year` read from tables (the fixed dates and lunardate's
    lunar calendar), which every notice lists; none before 2025. 清明 is left out: its day
    comes from a solar-term formula, and a formula a day off must not make the policy
    refuse a correct notice."""
    if year < STATUTORY_SINCE:
        return frozenset()
    # 春节 falls between 21 January and 20 February, so its 除夕 is always in the same year.
    return frozenset((*fixed_days_off(year), *lunar_days_off(year)))


@cache
def statutory_days_off(year: int) -> frozenset[date]:
    """Every statutory day off of `year` under the law in force from 2025; none before."""
    return tabled_days_off(year) | {qingming(year)} if year >= STATUTORY_SINCE else frozenset()
