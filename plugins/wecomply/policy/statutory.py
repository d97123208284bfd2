"""The statutory days off that have a fixed date, by 《全国年节及纪念日放假办法》.

As revised in 2024 and in force from 2025: 元旦 1 January, 劳动节 1-2 May, 国庆节 1-3 October.
The others (春节, 清明, 端午, 中秋) follow the lunar calendar or a solar term, and every 调休
(and a substitute day for one on a weekend) comes from the year's State Council notice. So
these are all a year without its notice can know for certain, and every notice lists them.
"""

from __future__ import annotations

from datetime import date

STATUTORY_FIXED_DAYS_OFF: frozenset[tuple[int, int]] = frozenset({(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)})
# Earlier years had other rules (and chinesecalendar covers 2004 on); they keep none here.
STATUTORY_FIXED_SINCE = 2025


def fixed_days_off(year: int) -> list[date]:
    """The year's fixed-date statutory days off, in order (none before 2025)."""
    if year < STATUTORY_FIXED_SINCE:
        return []
    return sorted(date(year, month, day) for month, day in STATUTORY_FIXED_DAYS_OFF)
