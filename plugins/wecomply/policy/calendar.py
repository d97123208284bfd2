"""China's working-day calendar, working hours and deadlines, in Asia/Shanghai.

Working days come from the `chinesecalendar` package (import name `chinese_calendar`),
which encodes the State Council's yearly holiday notices (国务院办公厅关于…年部分节假日安排的通知),
make-up working days (调休) included. Version 1.11.0 covers 2004–2026. For a year the
package does not cover yet, the company may enter that year's notice in the policy
(`calendar.official_notices`); a year in neither falls back to Monday–Friday less the
statutory days off (`wecomply.policy.statutory`: 元旦, 春节 from 除夕, 清明, 劳动节, 端午,
中秋, 国庆节). That is still wrong around every substitute day for a holiday on a weekend
(补假), bridging day and 调休, so the fallback warns loudly (once per year per
calendar), and `years_awaiting_notice` tells HR in time (the `holiday_calendar_check` DAG).
The company's own overrides from the policy apply on top of all three.

All datetimes in and out are aware; results are expressed in Asia/Shanghai.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from wecomply.errors import UserFacingError
from wecomply.policy.config import CalendarPolicy, DurationSpec, Policy, WorkingHours
from wecomply.policy.statutory import statutory_days_off

SHANGHAI = ZoneInfo("Asia/Shanghai")
log = logging.getLogger(__name__)

# No company has a year without a working day; the bound turns a misconfiguration into an
# error instead of an endless loop.
_SEARCH_LIMIT_DAYS = 400

Clock = Literal["calendar", "working_days"]

# The State Council's notice for the next year has come out between early November
# (2025-11-04 for 2026) and early December (2016-12-01 for 2017).
NOTICE_SEASON_MONTH = 11


class UncoveredYearWarning(UserWarning):
    """The official calendar has no data for a year: Monday to Friday less the statutory
    days off, plus company overrides, are used."""


class CalendarError(UserFacingError):
    """The calendar cannot answer (naive datetime, no working day in reach)."""


def _official_data() -> tuple[range, object]:
    import chinese_calendar
    from chinese_calendar.constants import holidays

    years = {d.year for d in holidays}
    return range(min(years), max(years) + 1), chinese_calendar


class WorkCalendar:
    """Working days and working windows for one policy.

    `source` is the whole `Policy` (usual) or just its `CalendarPolicy`; `working_hours`
    overrides or supplies the daily window (09:00–18:00 when neither gives one).
    """

    def __init__(
        self,
        source: Policy | CalendarPolicy | None = None,
        working_hours: WorkingHours | None = None,
    ) -> None:
        if isinstance(source, Policy):
            settings = source.calendar
            hours = working_hours or source.working_hours
        else:
            settings = source or CalendarPolicy()
            hours = working_hours or WorkingHours(start=time(9), end=time(18))
        self.settings = settings
        self.hours = hours
        self._extra_holidays = settings.holiday_dates
        self._extra_working = settings.working_dates
        self._covered, self._cc = _official_data()
        # The package wins over an entered notice: once it covers the year, it is the
        # reviewed source, and `policy check` says the entry can go.
        self._notices = {
            year: (notice.holiday_dates, notice.working_dates)
            for year, notice in settings.official_notices.items()
            if year not in self._covered
        }
        self._warned_years: set[int] = set()
        # chinesecalendar validates every date it is asked about (~20 µs); bulk work such as
        # a 100k-person assessment asks about the same few hundred days again and again.
        self._working_day_cache: dict[date, bool] = {}

    # --- days --------------------------------------------------------------------------------

    @property
    def covered_years(self) -> range:
        """The years the installed chinesecalendar package has official data for."""
        return self._covered

    def is_covered(self, year: int) -> bool:
        """Whether the installed chinesecalendar package has the year's official data."""
        return year in self._covered

    def has_official_days(self, year: int) -> bool:
        """Whether the year's official days off and 调休 are known: from the package, or from
        a notice the company entered in the policy."""
        return year in self._covered or year in self._notices

    @property
    def superseded_notices(self) -> list[int]:
        """Years the policy enters a notice for that the installed package now covers."""
        return sorted(year for year in self.settings.official_notices if year in self._covered)

    def years_on_fallback(self, years: Iterable[int]) -> list[int]:
        """Which of `years` count working days on the fallback (Monday–Friday less the
        statutory days off), sorted. A company that keeps its own calendar
        (`source` other than chinese_calendar) has none: its days are its own word."""
        if self.settings.source != "chinese_calendar":
            return []
        return sorted(year for year in set(years) if not self.has_official_days(year))

    def years_on_entered_notice(self, years: Iterable[int]) -> list[int]:
        """Which of `years` count working days by a notice entered in the policy (the
        package does not cover them yet), sorted."""
        if self.settings.source != "chinese_calendar":
            return []
        return sorted(year for year in set(years) if year in self._notices)

    def years_in_notice_season(self, today: date) -> list[int]:
        """The years whose official days matter as of `today`: this year, and from November
        (when its notice is due) the next."""
        return [today.year, today.year + 1] if today.month >= NOTICE_SEASON_MONTH else [today.year]

    def years_awaiting_notice(self, today: date) -> list[int]:
        """The years HR should enter a notice for, as of `today`: those in the notice
        season when neither the package nor the policy has their official days."""
        return self.years_on_fallback(self.years_in_notice_season(today))

    def is_working_day(self, day: date) -> bool:
        day = _as_date(day)
        cached = self._working_day_cache.get(day)
        if cached is None:
            cached = self._working_day_cache[day] = self._is_working_day(day)
        return cached

    def _is_working_day(self, day: date) -> bool:
        if day in self._extra_holidays:
            return False
        if day in self._extra_working:
            return True
        if self.settings.source == "chinese_calendar":
            if day.year in self._covered:
                return bool(self._cc.is_workday(day))  # type: ignore[attr-defined]
            notice = self._notices.get(day.year)
            if notice is not None:
                days_off, make_up_days = notice
                return day in make_up_days or (day not in days_off and day.weekday() < 5)
            self._warn_uncovered(day.year)
            if day in statutory_days_off(day.year):
                return False
        return day.weekday() < 5

    def _warn_uncovered(self, year: int) -> None:
        if year in self._warned_years:
            return
        self._warned_years.add(year)
        message = (
            f"chinesecalendar 没有 {year} 年的法定节假日数据，{year} 年按周一至周五上班"
            f"（法定节假日除外）、加上公司在策略文件中的调整计算，法定假日逢周末的补假、连休安排"
            f"与调休上班日都不知道；请升级 chinesecalendar，或把国务院 {year} 年节假日安排"
            f"通知正文粘贴到策略文件的 calendar.official_notices.{year}.text / "
            f"chinesecalendar has no official holiday data for {year} "
            f"(covers {self._covered.start}-{self._covered.stop - 1}); {year} uses Monday-Friday less "
            f"the statutory days off (元旦, 春节 from its eve, 清明, 1-2 May, 端午, 中秋, 1-3 October) plus "
            f"the policy's overrides, without the substitute days, bridging days or make-up working "
            f"days only the notice gives. Upgrade "
            f"chinesecalendar, or paste the State Council's notice for {year} under "
            f"calendar.official_notices.{year}.text in the policy."
        )
        log.warning(message)
        warnings.warn(message, UncoveredYearWarning, stacklevel=3)

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day after `day` (before it when n < 0); `day` itself is not counted."""
        day = _as_date(day)
        step = 1 if n >= 0 else -1
        remaining = abs(n)
        searched = 0
        while remaining:
            day += timedelta(days=step)
            searched += 1
            if self.is_working_day(day):
                remaining -= 1
                searched = 0
            elif searched > _SEARCH_LIMIT_DAYS:
                raise CalendarError(f"{_SEARCH_LIMIT_DAYS} 天内没有工作日 / no working day within {_SEARCH_LIMIT_DAYS} days; check calendar.extra_holidays in the policy")
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when end is before start.

        Matches `add_working_days`: working_days_between(d, add_working_days(d, n)) == n.
        """
        start, end = _as_date(start), _as_date(end)
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for i in range(1, (end - start).days + 1) if self.is_working_day(start + timedelta(days=i)))

    def first_working_day_on_or_after(self, day: date) -> date:
        day = _as_date(day)
        return day if self.is_working_day(day) else self.add_working_days(day, 1)

    def last_working_day_on_or_before(self, day: date) -> date:
        day = _as_date(day)
        return day if self.is_working_day(day) else self.add_working_days(day, -1)

    # --- hours -------------------------------------------------------------------------------

    def window_start(self, day: date) -> datetime:
        return datetime.combine(_as_date(day), self.hours.start, SHANGHAI)

    def window_end(self, day: date) -> datetime:
        return datetime.combine(_as_date(day), self.hours.end, SHANGHAI)

    def _windows(self, day: date) -> list[tuple[datetime, datetime]]:
        if not self.is_working_day(day):
            return []
        lunch = self.hours.lunch
        if lunch is None:
            return [(self.window_start(day), self.window_end(day))]
        return [
            (self.window_start(day), datetime.combine(day, lunch.start, SHANGHAI)),
            (datetime.combine(day, lunch.end, SHANGHAI), self.window_end(day)),
        ]

    def is_working_time(self, dt: datetime) -> bool:
        local = _local(dt)
        return any(start <= local < end for start, end in self._windows(local.date()))

    def next_working_window(self, dt: datetime, *, urgent: bool = False) -> datetime:
        """When a message due at `dt` may be sent.

        Urgent messages go at once: `dt` is returned unchanged. Otherwise `dt` itself if it is
        inside working hours on a working day, else the start of the next working window
        (after lunch, the next morning, or the next working day — a 调休 Saturday included).
        """
        if urgent:
            _require_aware(dt)
            return dt
        local = _local(dt)
        day = local.date()
        for _ in range(_SEARCH_LIMIT_DAYS):
            for start, end in self._windows(day):
                if local < end:
                    return max(local, start)
            day += timedelta(days=1)
        raise CalendarError(f"{_SEARCH_LIMIT_DAYS} 天内没有工作时段 / no working window within {_SEARCH_LIMIT_DAYS} days; check the policy's calendar")

    # --- deadlines ---------------------------------------------------------------------------

    def deadline(self, start: datetime, spec: DurationSpec | str, *, clock: Clock = "calendar") -> datetime:
        """`start` plus `spec`.

        - "30m"/"24h": elapsed time. With clock="working_days" the clock stops on non-working
          days, so a 24 h rule started on Friday 17:00 ends on Monday 17:00.
        - "7d": calendar days, same wall-clock time.
        - "3wd": the same wall-clock time on the 3rd working day after start's date.
        """
        spec = _spec(spec)
        local = _local(start)
        if spec.unit == "wd":
            return datetime.combine(self.add_working_days(local.date(), spec.amount), local.timetz())
        if spec.unit == "d" or clock == "calendar":
            return local + spec.as_timedelta()
        return self._add_working_day_time(local, spec.as_timedelta())

    def before(self, due: datetime, spec: DurationSpec | str) -> datetime:
        """`due` minus `spec` (m/h as elapsed time, d calendar days, wd working days)."""
        spec = _spec(spec)
        local = _local(due)
        if spec.unit == "wd":
            return datetime.combine(self.add_working_days(local.date(), -spec.amount), local.timetz())
        return local - spec.as_timedelta()

    def _add_working_day_time(self, local: datetime, remaining: timedelta) -> datetime:
        cur = local
        idle_days = 0
        while True:
            next_midnight = datetime.combine(cur.date() + timedelta(days=1), time(0), SHANGHAI)
            if self.is_working_day(cur.date()):
                idle_days = 0
                available = next_midnight - cur
                if remaining <= available:
                    return cur + remaining
                remaining -= available
            else:
                idle_days += 1
                if idle_days > _SEARCH_LIMIT_DAYS:
                    raise CalendarError("no working day in reach; check the policy's calendar")
            cur = next_midnight


def _spec(spec: DurationSpec | str) -> DurationSpec:
    return spec if isinstance(spec, DurationSpec) else DurationSpec.parse(spec)


def _as_date(value: date) -> date:
    if isinstance(value, datetime):
        return _local(value).date()
    return value


def _require_aware(dt: datetime) -> None:
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise CalendarError(
            f"需要带时区的时间，得到 {dt.isoformat()} / a timezone-aware datetime is required, got "
            f"naive {dt.isoformat()}; attach Asia/Shanghai (zoneinfo) or UTC"
        )


def _local(dt: datetime) -> datetime:
    _require_aware(dt)
    return dt.astimezone(SHANGHAI)
