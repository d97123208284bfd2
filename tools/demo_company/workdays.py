"""China's working days and working hours, for planning the demo month and click times.

This mirrors the default policy (09:00–18:00, lunch 12:00–13:00, the State Council
calendar from `chinesecalendar`) without importing `wecomply`: the demo company is a test
double and must not lean on the code it exercises.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Working windows of a working day, in local time.
WINDOWS: tuple[tuple[time, time], ...] = ((time(9), time(12)), (time(13), time(18)))


@lru_cache(maxsize=None)
def is_working_day(day: date) -> bool:
    import chinese_calendar

    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        # A year the package has no data for: Monday to Friday is the best we can do.
        return day.weekday() < 5


def working_days(first: date, last: date) -> list[date]:
    out: list[date] = []
    day = first
    while day <= last:
        if is_working_day(day):
            out.append(day)
        day += timedelta(days=1)
    return out


def month_bounds(month: str) -> tuple[date, date]:
    """First and last day of a `YYYY-MM` month."""
    try:
        year, mon = (int(p) for p in month.split("-"))
        first = date(year, mon, 1)
    except ValueError as exc:
        raise ValueError(f"month {month!r}: expected YYYY-MM, e.g. 2026-03") from exc
    following = date(year + mon // 12, mon % 12 + 1, 1)
    return first, following - timedelta(days=1)


def previous_month(month: str) -> str:
    first, _ = month_bounds(month)
    prior = first - timedelta(days=1)
    return f"{prior.year:04d}-{prior.month:02d}"


def at(day: date, clock: time) -> datetime:
    """An aware Asia/Shanghai datetime."""
    return datetime.combine(day, clock, tzinfo=SHANGHAI)


def add_working_time(start: datetime, amount: timedelta) -> datetime:
    """`start` plus `amount` of working time: the clock runs only inside working windows.

    A start outside working hours first waits for the next window, so a card delivered at
    20:00 on a Friday and answered "within 30 working minutes" is answered Monday 09:30.
    """
    if start.tzinfo is None:
        raise ValueError("add_working_time needs an aware datetime")
    local = start.astimezone(SHANGHAI)
    remaining = amount
    day = local.date()
    for _ in range(400):
        if is_working_day(day):
            for open_at, close_at in WINDOWS:
                window_start = max(at(day, open_at), local)
                window_end = at(day, close_at)
                if window_start >= window_end:
                    continue
                room = window_end - window_start
                if remaining <= room:
                    return window_start + remaining
                remaining -= room
        day += timedelta(days=1)
        local = at(day, time(0))
    raise ValueError("no working time within 400 days")
