"""The monthly report as plain, immutable data.

The aggregation over the records database builds one `MonthlyReport` per scope (the company
or one department); rendering only reads it. Rates are percentages in 0..100, so a figure
shows exactly the number it holds. `None` means "no data" (a rate whose denominator is zero,
a month before records began) and is shown as a dash, never as 0.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum

TREND_MONTHS = 6


class Unit(str, Enum):
    COUNT = "count"
    PERCENT = "percent"
    SCORE = "score"
    MINUTES = "minutes"


class Better(str, Enum):
    """Which way a figure should move; decides whether a change is shown green or red."""

    HIGHER = "higher"
    LOWER = "lower"  # counts of misses, failures, overdue findings
    NEUTRAL = "neutral"  # volumes such as meetings held or notices sent


class Tone(str, Enum):
    IMPROVED = "improved"
    WORSENED = "worsened"
    UNCHANGED = "unchanged"
    NEUTRAL = "neutral"  # moved, but neither direction is better
    UNKNOWN = "unknown"  # no previous value to compare with


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 2000 <= self.year <= 2999:
            raise ValueError(f"invalid report month {self.year}-{self.month}")

    @classmethod
    def parse(cls, text: str) -> Month:
        match = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
        if not match:
            raise ValueError(f"report period {text!r} is not in the form YYYY-MM")
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    def shift(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def previous(self) -> Month:
        return self.shift(-1)

    def trend_months(self, count: int = TREND_MONTHS) -> tuple[Month, ...]:
        """The `count` months ending with this one, oldest first (the trend's x axis)."""
        return tuple(self.shift(-offset) for offset in range(count - 1, -1, -1))

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class Figure:
    """One number of the report with last month's value and a short history.

    `trend` holds up to six monthly values, oldest first, ending with the report month, so
    `trend[-1] == value` and `trend[-2] == previous`. Months without data are `None`.
    """

    value: float | None
    previous: float | None
    trend: tuple[float | None, ...] = ()
    unit: Unit = Unit.COUNT
    better: Better = Better.HIGHER

    def __post_init__(self) -> None:
        if len(self.trend) > TREND_MONTHS:
            raise ValueError(f"a trend holds at most {TREND_MONTHS} months, got {len(self.trend)}")
        if self.trend and self.trend[-1] != self.value:
            raise ValueError(f"trend must end with the month's value {self.value}, got {self.trend}")
        if len(self.trend) >= 2 and self.trend[-2] != self.previous:
            raise ValueError(
                f"trend's second-last month must be the previous value {self.previous}, got {self.trend}"
            )
        if self.unit is Unit.PERCENT:
            for number in (self.value, self.previous, *self.trend):
                if number is not None and not 0 <= number <= 100:
                    raise ValueError(f"a percentage must lie in 0..100, got {number}")

    @classmethod
    def from_trend(
        cls, trend: Sequence[float | None], unit: Unit = Unit.COUNT, better: Better = Better.HIGHER
    ) -> Figure:
        """Build from monthly values, oldest first, ending with the report month."""
        if not trend:
            raise ValueError("a trend needs at least the report month's value")
        values = tuple(trend)[-TREND_MONTHS:]
        return cls(values[-1], values[-2] if len(values) > 1 else None, values, unit, better)

    @property
    def delta(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return round(self.value - self.previous, 6)

    @property
    def tone(self) -> Tone:
        delta = self.delta
        if delta is None:
            return Tone.UNKNOWN
        if delta == 0:
            return Tone.UNCHANGED
        if self.better is Better.NEUTRAL:
            return Tone.NEUTRAL
        rising_is_good = self.better is Better.HIGHER
        return Tone.IMPROVED if (delta > 0) == rising_is_good else Tone.WORSENED


def rate(numerator: int, denominator: int) -> float | None:
    """A percentage rounded to one decimal, or None when there is nothing to divide by."""
    if denominator <= 0:
        return None
    return round(100.0 * numerator / denominator, 1)


class ScopeKind(str, Enum):
    COMPANY = "company"
    DEPARTMENT = "department"


@dataclass(frozen=True)
class Person:
    userid: str
    name: str
    department: str = ""


@dataclass(frozen=True)
class Scope:
    kind: ScopeKind
    id: str
    name: str
    head: Person | None = None


@dataclass(frozen=True)
class OnboardingMiss:
    person: Person
    joined_on: date
    deadline: date
    completed_on: date | None  # None: still not done when the report was built


@dataclass(frozen=True)
class OnboardingSection:
    due: int  # new hires whose 7-day deadline fell in the month
    finished_on_time: Figure  # count
    on_time_rate: Figure  # percent of `due`
    missed: tuple[OnboardingMiss, ...] = ()
    deadline_days: int = 7


@dataclass(frozen=True)
class RetrainingSection:
    quarter: str  # e.g. "2025Q1"
    required: int  # staff who must take this quarter's session
    completed: Figure  # count, cumulative within the quarter
    completion_rate: Figure  # percent of `required`
    quarter_ends_on: date


@dataclass(frozen=True)
class ScoreBand:
    label: str  # e.g. "60–69"
    lower: float
    upper: float
    count: int
    failing: bool  # the band lies below the pass mark


@dataclass(frozen=True)
class AssessmentResult:
    person: Person
    score: float
    previous_score: float | None = None  # last month's, shown for repeat failures


@dataclass(frozen=True)
class AssessmentSection:
    assessed: int
    pass_mark: float
    mean_score: Figure  # unit SCORE
    pass_rate: Figure  # percent
    failed_count: Figure  # count, lower is better
    distribution: tuple[ScoreBand, ...]
    failed: tuple[AssessmentResult, ...] = ()
    failed_twice: tuple[AssessmentResult, ...] = ()  # failed this month and the month before


@dataclass(frozen=True)
class OverdueFinding:
    title: str
    owner: Person
    due_on: date
    days_overdue: int


@dataclass(frozen=True)
class AccountReviewSection:
    opened: Figure  # findings raised this month (neutral: finding issues is the point)
    closed: Figure
    overdue: Figure  # open past their due date at month end, lower is better
    overdue_items: tuple[OverdueFinding, ...] = ()


@dataclass(frozen=True)
class LateMinutes:
    meeting: str
    recorder: Person
    held_on: date
    hours_late: float | None  # None: minutes never sent


@dataclass(frozen=True)
class MeetingsSection:
    meetings: Figure  # meetings held (neutral)
    minutes_on_time_rate: Figure  # percent sent within the deadline
    acknowledgement_rate: Figure  # percent of attendee receipts confirmed
    late: tuple[LateMinutes, ...] = ()
    deadline_hours: int = 24


@dataclass(frozen=True)
class NoticesSection:
    notices: Figure  # notices sent (neutral)
    acknowledgement_rate: Figure  # percent of recipients who confirmed
    unacknowledged: Figure  # recipients still unconfirmed, lower is better


@dataclass(frozen=True)
class Incident:
    reference: str
    title: str
    department: str
    occurred_at: datetime
    minutes_to_report: float | None  # None: not yet reported to information security
    met_clock: bool


@dataclass(frozen=True)
class IncidentsSection:
    count: Figure  # neutral: reporting more is not worse
    on_time_rate: Figure  # percent reported within the clock
    incidents: tuple[Incident, ...] = ()
    clock_minutes: int = 30


@dataclass(frozen=True)
class MonthlyReport:
    scope: Scope
    period: Month
    generated_at: datetime
    onboarding: OnboardingSection
    retraining: RetrainingSection
    assessment: AssessmentSection
    account_review: AccountReviewSection
    meetings: MeetingsSection
    notices: NoticesSection
    incidents: IncidentsSection
    departments: tuple[str, ...] = field(default=())  # company scope: departments covered
    # Years counted on the calendar's fallback (no official holiday notice yet): the report
    # says its working-day deadlines are estimates until HR enters the notice.
    estimated_calendar_years: tuple[int, ...] = field(default=())

    def headline(self) -> tuple[tuple[str, Figure], ...]:
        """The KPI cards at the top, as (message key, figure)."""
        return (
            ("kpi.onboarding", self.onboarding.on_time_rate),
            ("kpi.retraining", self.retraining.completion_rate),
            ("kpi.pass_rate", self.assessment.pass_rate),
            ("kpi.failed", self.assessment.failed_count),
            ("kpi.overdue_findings", self.account_review.overdue),
            ("kpi.minutes_on_time", self.meetings.minutes_on_time_rate),
            ("kpi.notice_ack", self.notices.acknowledgement_rate),
            ("kpi.incidents_on_time", self.incidents.on_time_rate),
        )
