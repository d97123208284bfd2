"""Build the month's `MonthlyReport`s (the company and every department) from the records.

Every figure is counted by the database: one `GROUP BY department, month` query per
section covers all scopes and the whole six-month trend at once, so the cost grows with the
number of departments and months, not with the number of employees. Only the short lists
(who missed onboarding, who failed, which findings are overdue, late minutes, incidents)
come back row by row, and only their rows.

Where a record belongs:
- to the department it names (`department_id` at assignment/assessment/finding time), else
  to the current department of the person it is about;
- meetings to the organiser's department, minutes receipts to the attendee's, incidents to
  the reporter's.
A department report covers the people directly in that department (not sub-departments);
the company report covers every record, including those of no known department.

A month is a calendar month in Asia/Shanghai. Things count in the month their clock ran out
in (onboarding and minutes deadlines), happened in (assessments, findings, notices sent,
incidents), or, for the quarterly retraining, cumulatively up to the month's end.
Acknowledgements, completions and incident acknowledgements are counted as known at
`as_of` (when the report is built). A part-count whose whole is zero (e.g. "finished on
time" when nobody was due) is None, shown as a dash, never as 0.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Final
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from wecomply import templating
from wecomply.duties.model import Duty
from wecomply.duties.training import period_bounds, period_of
from wecomply.errors import UserFacingError
from wecomply.policy.calendar import WorkCalendar
from wecomply.policy.config import Policy
from wecomply.records import models
from wecomply.records.bulk import chunks
from wecomply.reports.model import (
    TREND_MONTHS,
    AccountReviewSection,
    AssessmentResult,
    AssessmentSection,
    Better,
    Figure,
    Incident,
    IncidentsSection,
    LateMinutes,
    MeetingsSection,
    Month,
    MonthlyReport,
    NoticesSection,
    OnboardingMiss,
    OnboardingSection,
    OverdueFinding,
    Person,
    RetrainingSection,
    Scope,
    ScopeKind,
    ScoreBand,
    Unit,
    rate,
)

SHANGHAI: Final = ZoneInfo("Asia/Shanghai")
COMPANY_SCOPE_ID: Final = "company"
LABELS: Final = "report_labels"  # include/templates/report_labels/messages.yaml
BAND_EDGES: Final = (50.0, 60.0, 70.0, 80.0, 90.0)
ROOT_DEPARTMENT_ID: Final = 1  # WeCom's root department carries the company's name

_CANCELLED: Final = models.AssignmentStatus.CANCELLED.value
_ACTIVE: Final = models.EmployeeStatus.ACTIVE.value

# A department key in the tallies; None is "no known department" (company report only).
Dept = int | None


def department_scope_id(department_id: int) -> str:
    return f"dept-{department_id}"


# --- the six months ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """The report month and the five before it: local month starts as UTC instants."""

    months: tuple[Month, ...]
    bounds: tuple[datetime, ...]  # len(months) + 1 edges; the last is the report month's end

    @classmethod
    def ending(cls, month: Month, count: int = TREND_MONTHS) -> Window:
        months = month.trend_months(count)
        edges = (*months, month.shift(1))
        return cls(months, tuple(_month_start(m) for m in edges))

    @property
    def start(self) -> datetime:
        return self.bounds[0]

    @property
    def end(self) -> datetime:
        return self.bounds[-1]

    @property
    def report_start(self) -> datetime:
        return self.bounds[-2]

    @property
    def last(self) -> int:
        return len(self.months) - 1

    def within(self, column: Any) -> Any:
        return sa.and_(column >= self.start, column < self.end)

    def bucket(self, column: Any) -> Any:
        """Index of the month an instant falls in (callers restrict to the window)."""
        whens = [(column < edge, index) for index, edge in enumerate(self.bounds[1:-1])]
        return sa.case(*whens, else_=self.last) if whens else sa.literal(0)

    def index_of(self, instant: datetime) -> int | None:
        for index in range(len(self.months)):
            if self.bounds[index] <= instant < self.bounds[index + 1]:
                return index
        return None


def _month_start(month: Month) -> datetime:
    return datetime(month.year, month.month, 1, tzinfo=SHANGHAI).astimezone(timezone.utc)


def _local_date(instant: datetime) -> date:
    return instant.astimezone(SHANGHAI).date()


def _count(expr: Any) -> Any:
    return sa.func.coalesce(sa.func.sum(sa.case((expr, 1), else_=0)), 0)


# --- tallies ---------------------------------------------------------------------------------


class Tally:
    """Monthly numbers per (metric, department), with the company's totals kept alongside."""

    def __init__(self, months: int) -> None:
        self._months = months
        self._dept: dict[tuple[str, Dept], list[float]] = defaultdict(lambda: [0.0] * months)
        self._company: dict[str, list[float]] = defaultdict(lambda: [0.0] * months)

    def __repr__(self) -> str:
        # By value: the archive's facts digest is taken over MonthFacts' repr.
        return f"Tally({self._months}, {dict(self._dept)!r}, {dict(self._company)!r})"

    def add(self, metric: str, dept: Dept, index: int, value: float, *, company: bool = True) -> None:
        self._dept[(metric, dept)][index] += value
        if company:
            self._company[metric][index] += value

    def add_company(self, metric: str, index: int, value: float) -> None:
        self._company[metric][index] += value

    def series(self, metric: str, dept: Dept | str) -> list[float]:
        if dept == COMPANY_SCOPE_ID:
            return list(self._company.get(metric, [0.0] * self._months))
        return list(self._dept.get((metric, dept), [0.0] * self._months))  # type: ignore[arg-type]


def _parts(part: Sequence[float], whole: Sequence[float]) -> list[float | None]:
    return [int(p) if w > 0 else None for p, w in zip(part, whole, strict=True)]


def _rates(part: Sequence[float], whole: Sequence[float]) -> list[float | None]:
    return [rate(int(p), int(w)) for p, w in zip(part, whole, strict=True)]


def _counts(values: Sequence[float]) -> list[float | None]:
    return [int(v) for v in values]


def _percent(values: Sequence[float | None], better: Better = Better.HIGHER) -> Figure:
    return Figure.from_trend(values, Unit.PERCENT, better)


def _number(values: Sequence[float | None], better: Better = Better.HIGHER) -> Figure:
    return Figure.from_trend(values, Unit.COUNT, better)


# --- what the database says ------------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentInfo:
    id: int
    name: str
    head: Person | None


@dataclass
class MonthFacts:
    """Everything the reports of one month show, for every scope, in no particular locale."""

    month: Month
    window: Window
    as_of: datetime
    company_name: str | None
    departments: list[DepartmentInfo]
    tally: Tally
    pass_mark: float
    onboarding_days: int
    minutes_hours: int
    incident_minutes: int
    retraining_period: str
    bands: tuple[tuple[float, float], ...]
    # Years whose working days were counted without the State Council's notice (the
    # calendar's fallback): the month's working-day deadlines may be a day or more off.
    estimated_calendar_years: tuple[int, ...] = ()
    band_counts: dict[Dept, list[int]] = field(default_factory=dict)
    missed: dict[Dept, list[OnboardingMiss]] = field(default_factory=lambda: defaultdict(list))
    failed: dict[Dept, list[AssessmentResult]] = field(default_factory=lambda: defaultdict(list))
    failed_twice: dict[Dept, list[AssessmentResult]] = field(default_factory=lambda: defaultdict(list))
    # (finding kind, what it is about, owner, due date, days overdue at the month's end)
    overdue: dict[Dept, list[tuple[str, str, Person, date, int]]] = field(default_factory=lambda: defaultdict(list))
    late_minutes: dict[Dept, list[LateMinutes]] = field(default_factory=lambda: defaultdict(list))
    incidents: dict[Dept, list[Incident]] = field(default_factory=lambda: defaultdict(list))

    def every(self, lists: dict[Dept, list[Any]]) -> list[Any]:
        return [item for items in lists.values() for item in items]


class _People:
    """Names and departments of the people the lists mention, fetched once per batch."""

    def __init__(self, session: Session, department_names: dict[int, str]) -> None:
        self._session = session
        self._names = department_names
        self._known: dict[str, tuple[str, int | None]] = {}

    def load(self, userids: Iterable[str]) -> None:
        e = models.Employee.__table__
        wanted = sorted({u for u in userids if u and u not in self._known})
        for chunk in chunks(wanted, 2000):
            for row in self._session.execute(
                sa.select(e.c.userid, e.c.name, e.c.department_id).where(e.c.userid.in_(list(chunk)))
            ):
                self._known[row.userid] = (row.name, row.department_id)

    def knows(self, userid: str) -> bool:
        return userid in self._known

    def person(self, userid: str, dept: Dept = None) -> Person:
        name, home = self._known.get(userid, (userid, None))
        where = dept if dept is not None else home
        return Person(userid, name or userid, self._names.get(where, "") if where is not None else "")


def collect_month(
    month: Month,
    *,
    session: Session,
    policy: Policy,
    calendar: WorkCalendar,
    as_of: datetime | None = None,
) -> MonthFacts:
    """Read one month (and the five before it) from the records; no locale yet."""
    window = Window.ending(month)
    as_of = as_of or window.end
    if as_of.tzinfo is None:
        raise ValueError("collect_month(as_of=...) must be timezone-aware")
    d = models.Department.__table__
    departments = {
        row.id: row for row in session.execute(
            sa.select(d.c.id, d.c.name, d.c.parent_id, d.c.head_userid).where(d.c.active.is_(True))
        )
    }
    names = {dept_id: row.name for dept_id, row in departments.items()}
    people = _People(session, names)
    people.load(row.head_userid for row in departments.values() if row.head_userid)

    e = models.Employee.__table__
    staffed = set(session.scalars(
        sa.select(e.c.department_id).where(e.c.status == _ACTIVE, e.c.department_id.is_not(None)).distinct()
    ))
    covered = [
        DepartmentInfo(
            id=row.id,
            name=row.name,
            head=people.person(row.head_userid, row.id) if row.head_userid else None,
        )
        for row in sorted(departments.values(), key=lambda r: r.id)
        if row.id in staffed or row.head_userid
    ]
    root = departments.get(ROOT_DEPARTMENT_ID)
    company_name = root.name if root is not None and not root.parent_id else None

    facts = MonthFacts(
        month=month,
        window=window,
        as_of=as_of,
        company_name=company_name,
        departments=covered,
        tally=Tally(len(window.months)),
        pass_mark=float(policy.assessment.pass_mark),
        onboarding_days=policy.onboarding.deadline.amount,
        minutes_hours=_hours(policy.meetings.minutes_within),
        incident_minutes=int(policy.incidents.report_within.as_timedelta().total_seconds() // 60),
        retraining_period=period_of(month.first_day, policy.periodic_training.cadence),
        bands=score_bands(float(policy.assessment.pass_mark)),
        # A deadline that ran out in the month was counted from a start up to a month
        # before it, so January's reports depend on December's year too.
        estimated_calendar_years=tuple(calendar.years_on_fallback({month.previous().year, month.year})),
    )
    _onboarding(facts, session, people)
    _retraining(facts, session, policy.periodic_training.cadence)
    _assessments(facts, session, people)
    _findings(facts, session, people)
    _meetings(facts, session, people, policy, calendar)
    _notices(facts, session)
    _incidents(facts, session, people, policy, calendar)
    return facts


def _hours(spec: Any) -> int:
    try:
        return int(spec.as_timedelta().total_seconds() // 3600)
    except ValueError:  # working days: report the number as written
        return spec.amount * 24


def _subject_department(table: sa.Table, subject: Any) -> tuple[Any, Any]:
    """(department expression, FROM clause) for a table whose rows are about a userid."""
    e = models.Employee.__table__
    return (
        sa.func.coalesce(table.c.department_id, e.c.department_id),
        table.outerjoin(e, e.c.userid == subject),
    )


# --- onboarding ------------------------------------------------------------------------------


def _onboarding(facts: MonthFacts, session: Session, people: _People) -> None:
    a = models.Assignment.__table__
    w = facts.window
    dept, source = _subject_department(a, a.c.subject_userid)
    on_time = sa.and_(a.c.completed_at.is_not(None), a.c.completed_at <= a.c.due_at)
    base = sa.and_(a.c.kind == Duty.ONBOARDING.value, a.c.status != _CANCELLED, w.within(a.c.due_at))
    month_index = w.bucket(a.c.due_at).label("m")
    stmt = (
        sa.select(dept.label("dept"), month_index, sa.func.count().label("due"), _count(on_time).label("on_time"))
        .select_from(source)
        .where(base)
        .group_by(dept, month_index)
    )
    for row in session.execute(stmt):
        facts.tally.add("onboarding.due", row.dept, row.m, row.due)
        facts.tally.add("onboarding.on_time", row.dept, row.m, row.on_time)

    missed = session.execute(
        sa.select(dept.label("dept"), a.c.subject_userid, a.c.period, a.c.due_at, a.c.completed_at)
        .select_from(source)
        .where(base, a.c.due_at >= w.report_start, sa.not_(on_time))
    ).all()
    people.load(row.subject_userid for row in missed)
    for row in missed:
        completed = row.completed_at if row.completed_at is not None and row.completed_at <= facts.as_of else None
        facts.missed[row.dept].append(
            OnboardingMiss(
                person=people.person(row.subject_userid, row.dept),
                joined_on=_period_date(row.period) or _local_date(row.due_at) - timedelta(days=facts.onboarding_days),
                deadline=_local_date(row.due_at),
                completed_on=_local_date(completed) if completed else None,
            )
        )
    for items in facts.missed.values():
        items.sort(key=lambda m: (m.deadline, m.person.name, m.person.userid))


def _period_date(period: str) -> date | None:
    try:
        return date.fromisoformat(period)
    except ValueError:
        return None


# --- quarterly retraining --------------------------------------------------------------------


def _retraining(facts: MonthFacts, session: Session, cadence: str) -> None:
    a = models.Assignment.__table__
    w = facts.window
    periods = [period_of(m.first_day, cadence) for m in w.months]
    dept, source = _subject_department(a, a.c.subject_userid)
    columns = [dept.label("dept"), a.c.period]
    for index, edge in enumerate(w.bounds[1:]):
        columns.append(_count(a.c.assigned_at < edge).label(f"r{index}"))
        columns.append(_count(sa.and_(a.c.completed_at.is_not(None), a.c.completed_at < edge)).label(f"c{index}"))
    stmt = (
        sa.select(*columns)
        .select_from(source)
        .where(a.c.kind == Duty.PERIODIC_TRAINING.value, a.c.status != _CANCELLED, a.c.period.in_(sorted(set(periods))))
        .group_by(dept, a.c.period)
    )
    for row in session.execute(stmt):
        for index, period in enumerate(periods):
            if row.period == period:
                facts.tally.add("retraining.required", row.dept, index, getattr(row, f"r{index}"))
                facts.tally.add("retraining.completed", row.dept, index, getattr(row, f"c{index}"))


# --- assessments ------------------------------------------------------------------------------


def score_bands(pass_mark: float) -> tuple[tuple[float, float], ...]:
    """Score bands of ten points, split at the pass mark so no band straddles it."""
    edges = sorted({*BAND_EDGES, *([pass_mark] if 0 < pass_mark < 100 else [])})
    lowers = [0.0, *edges]
    uppers = [*edges, 100.0]
    return tuple(zip(lowers, uppers, strict=True))


def _band_label(lower: float, upper: float, first: bool, last: bool) -> str:
    number = templating.format_number
    if first:
        return f"<{number(upper)}"
    if last:
        return f"{number(lower)}–{number(upper)}"
    if float(upper).is_integer() and float(lower).is_integer():
        return f"{number(lower)}–{number(upper - 1)}"
    return f"{number(lower)}–<{number(upper)}"


def _assessments(facts: MonthFacts, session: Session, people: _People) -> None:
    t = models.Assessment.__table__
    w = facts.window
    periods = [str(m) for m in w.months]
    dept, source = _subject_department(t, t.c.userid)
    month_index = sa.case(*[(t.c.period == p, i) for i, p in enumerate(periods)], else_=-1).label("m")
    stmt = (
        sa.select(
            dept.label("dept"), month_index, sa.func.count().label("n"),
            _count(t.c.passed.is_(True)).label("passed"), sa.func.sum(t.c.total).label("total"),
        )
        .select_from(source)
        .where(t.c.period.in_(periods))
        .group_by(dept, month_index)
    )
    for row in session.execute(stmt):
        facts.tally.add("assessment.n", row.dept, row.m, row.n)
        facts.tally.add("assessment.passed", row.dept, row.m, row.passed)
        facts.tally.add("assessment.total", row.dept, row.m, float(row.total or 0))

    report_period = periods[-1]
    band = sa.case(
        *[(t.c.total < upper, index) for index, (_lower, upper) in enumerate(facts.bands[:-1])],
        else_=len(facts.bands) - 1,
    ).label("band")
    for row in session.execute(
        sa.select(dept.label("dept"), band, sa.func.count().label("n"))
        .select_from(source)
        .where(t.c.period == report_period)
        .group_by(dept, band)
    ):
        for key in (row.dept, COMPANY_SCOPE_ID):
            facts.band_counts.setdefault(key, [0] * len(facts.bands))[row.band] += row.n

    previous = t.alias("previous")
    failed = session.execute(
        sa.select(dept.label("dept"), t.c.userid, t.c.total, previous.c.total.label("prev_total"),
                  previous.c.passed.label("prev_passed"))
        .select_from(source.outerjoin(
            previous, sa.and_(previous.c.userid == t.c.userid, previous.c.period == str(facts.month.previous()))
        ))
        .where(t.c.period == report_period, t.c.passed.is_(False))
    ).all()
    people.load(row.userid for row in failed)
    for row in failed:
        person = people.person(row.userid, row.dept)
        facts.failed[row.dept].append(AssessmentResult(person, round(float(row.total), 1)))
        if row.prev_passed is False:
            facts.failed_twice[row.dept].append(
                AssessmentResult(person, round(float(row.total), 1), round(float(row.prev_total), 1))
            )
    for lists in (facts.failed, facts.failed_twice):
        for items in lists.values():
            items.sort(key=lambda r: (r.score, r.person.name, r.person.userid))


# --- account-review findings ----------------------------------------------------------------


def _findings(facts: MonthFacts, session: Session, people: _People) -> None:
    f = models.AccountFinding.__table__
    e = models.Employee.__table__
    w = facts.window
    dept = sa.func.coalesce(f.c.department_id, e.c.department_id)
    source = f.outerjoin(e, e.c.userid == f.c.subject)
    columns = [dept.label("dept")]
    for index, (lower, upper) in enumerate(zip(w.bounds, w.bounds[1:])):
        columns += [
            _count(sa.and_(f.c.opened_at >= lower, f.c.opened_at < upper)).label(f"o{index}"),
            _count(sa.and_(f.c.resolved_at >= lower, f.c.resolved_at < upper)).label(f"c{index}"),
            _count(_overdue_at(f, upper)).label(f"d{index}"),
        ]
    stmt = (
        sa.select(*columns)
        .select_from(source)
        .where(f.c.opened_at < w.end, sa.or_(f.c.resolved_at.is_(None), f.c.resolved_at >= w.start))
        .group_by(dept)
    )
    for row in session.execute(stmt):
        for index in range(len(w.months)):
            facts.tally.add("findings.opened", row.dept, index, getattr(row, f"o{index}"))
            facts.tally.add("findings.closed", row.dept, index, getattr(row, f"c{index}"))
            facts.tally.add("findings.overdue", row.dept, index, getattr(row, f"d{index}"))

    overdue = session.execute(
        sa.select(dept.label("dept"), f.c.kind, f.c.subject, f.c.due_at)
        .select_from(source)
        .where(_overdue_at(f, w.end))
    ).all()
    last_day = _local_date(w.end) - timedelta(days=1)
    people.load(row.subject for row in overdue)
    heads = {info.id: info.head for info in facts.departments}
    names = {info.id: info.name for info in facts.departments}
    for row in overdue:
        if people.knows(row.subject):
            owner = people.person(row.subject, row.dept)
            about = owner.name
        else:  # a department account: the subject is the department's id
            dept_id = int(row.subject) if row.subject.isdigit() else row.dept
            owner = heads.get(dept_id) or Person(row.subject, row.subject, names.get(dept_id, ""))
            about = names.get(dept_id, row.subject)
        due_on = _local_date(row.due_at)
        facts.overdue[row.dept].append((row.kind, about, owner, due_on, max((last_day - due_on).days, 0)))
    for items in facts.overdue.values():
        items.sort(key=lambda item: (-item[4], item[0], item[1]))


def _overdue_at(f: sa.Table, moment: datetime) -> Any:
    return sa.and_(
        f.c.opened_at < moment,
        sa.or_(f.c.resolved_at.is_(None), f.c.resolved_at >= moment),
        f.c.due_at.is_not(None),
        f.c.due_at < moment,
    )


# --- meetings -----------------------------------------------------------------------------------


def _meetings(facts: MonthFacts, session: Session, people: _People, policy: Policy, calendar: WorkCalendar) -> None:
    m = models.Meeting.__table__
    e = models.Employee.__table__
    w = facts.window
    rows = session.execute(
        sa.select(m.c.id, m.c.title, m.c.organiser_userid, m.c.end_at, m.c.minutes_sent_at,
                  e.c.department_id.label("dept"))
        .select_from(m.outerjoin(e, e.c.userid == m.c.organiser_userid))
        .where(m.c.cancelled.is_(False), w.within(m.c.end_at))
    ).all()
    # Deadlines follow the working-day clock, so they are computed here, once per distinct end.
    deadlines: dict[datetime, datetime] = {}
    late_rows = []
    for row in rows:
        index = w.index_of(row.end_at)
        if index is None:
            continue
        due = deadlines.get(row.end_at)
        if due is None:
            due = deadlines[row.end_at] = calendar.deadline(
                row.end_at, policy.meetings.minutes_within, clock=policy.meetings.clock
            )
        sent = row.minutes_sent_at if row.minutes_sent_at is not None and row.minutes_sent_at <= facts.as_of else None
        on_time = sent is not None and sent <= due
        facts.tally.add("meetings.held", row.dept, index, 1)
        facts.tally.add("meetings.on_time", row.dept, index, int(on_time))
        if index == w.last and not on_time:
            late_rows.append((row, due, sent))
    people.load(row.organiser_userid for row, _, _ in late_rows)
    for row, due, sent in late_rows:
        facts.late_minutes[row.dept].append(
            LateMinutes(
                meeting=row.title,
                recorder=people.person(row.organiser_userid, row.dept),
                held_on=_local_date(row.end_at),
                hours_late=round((sent - due).total_seconds() / 3600, 1) if sent is not None else None,
            )
        )
    for items in facts.late_minutes.values():
        items.sort(key=lambda late: (late.held_on, late.meeting))

    a = models.MeetingAttendee.__table__
    month_index = w.bucket(m.c.end_at).label("m")
    confirmed = sa.and_(a.c.confirmed_at.is_not(None), a.c.confirmed_at <= facts.as_of)
    stmt = (
        sa.select(e.c.department_id.label("dept"), month_index, sa.func.count().label("n"), _count(confirmed).label("ack"))
        .select_from(a.join(m, m.c.id == a.c.meeting_id).outerjoin(e, e.c.userid == a.c.userid))
        .where(
            m.c.cancelled.is_(False), w.within(m.c.end_at), m.c.minutes_sent_at.is_not(None),
            m.c.minutes_sent_at <= facts.as_of, a.c.userid != m.c.organiser_userid,
        )
        .group_by(e.c.department_id, month_index)
    )
    for row in session.execute(stmt):
        facts.tally.add("meetings.receipts", row.dept, row.m, row.n)
        facts.tally.add("meetings.acknowledged", row.dept, row.m, row.ack)


# --- notices ------------------------------------------------------------------------------------


def _notices(facts: MonthFacts, session: Session) -> None:
    a = models.Assignment.__table__
    w = facts.window
    dept, source = _subject_department(a, a.c.subject_userid)
    base = sa.and_(a.c.kind == Duty.NOTICE.value, a.c.status != _CANCELLED, w.within(a.c.assigned_at))
    acknowledged = sa.and_(a.c.completed_at.is_not(None), a.c.completed_at <= facts.as_of)
    month_index = w.bucket(a.c.assigned_at).label("m")
    stmt = (
        sa.select(
            dept.label("dept"), month_index, sa.func.count(sa.distinct(a.c.period)).label("notices"),
            sa.func.count().label("n"), _count(acknowledged).label("ack"),
        )
        .select_from(source)
        .where(base)
        .group_by(dept, month_index)
    )
    for row in session.execute(stmt):
        # A notice reaches many departments: the company counts it once (below).
        facts.tally.add("notices.sent", row.dept, row.m, row.notices, company=False)
        facts.tally.add("notices.recipients", row.dept, row.m, row.n)
        facts.tally.add("notices.acknowledged", row.dept, row.m, row.ack)
    company = sa.select(month_index, sa.func.count(sa.distinct(a.c.period)).label("notices")).where(base).group_by(month_index)
    for row in session.execute(company):
        facts.tally.add_company("notices.sent", row.m, row.notices)


# --- incidents ----------------------------------------------------------------------------------


def _incidents(facts: MonthFacts, session: Session, people: _People, policy: Policy, calendar: WorkCalendar) -> None:
    i = models.Incident.__table__
    e = models.Employee.__table__
    w = facts.window
    rows = session.execute(
        sa.select(i.c.key, i.c.what, i.c.occurred_at, i.c.clock_started_at, i.c.acknowledged_at,
                  i.c.reporter_userid, e.c.department_id.label("dept"))
        .select_from(i.outerjoin(e, e.c.userid == i.c.reporter_userid))
        .where(w.within(i.c.clock_started_at))
        .order_by(i.c.clock_started_at, i.c.key)
    ).all()
    for row in rows:
        index = w.index_of(row.clock_started_at)
        if index is None:
            continue
        due = calendar.deadline(row.clock_started_at, policy.incidents.report_within)
        acknowledged = row.acknowledged_at if row.acknowledged_at is not None and row.acknowledged_at <= facts.as_of else None
        met = acknowledged is not None and acknowledged <= due
        facts.tally.add("incidents.count", row.dept, index, 1)
        facts.tally.add("incidents.on_time", row.dept, index, int(met))
        if index == w.last:
            minutes = (acknowledged - row.clock_started_at).total_seconds() / 60 if acknowledged else None
            facts.incidents[row.dept].append(
                Incident(
                    reference=row.key,
                    title=templating.clip(" ".join((row.what or "").split()), 60),
                    department=people.person(row.reporter_userid or "", row.dept).department,
                    occurred_at=(row.occurred_at or row.clock_started_at).astimezone(SHANGHAI),
                    minutes_to_report=round(minutes, 1) if minutes is not None else None,
                    met_clock=met,
                )
            )


# --- reports ------------------------------------------------------------------------------------


def reports_from(facts: MonthFacts, *, locale: str = templating.DEFAULT_LOCALE, generated_at: datetime | None = None) -> list[MonthlyReport]:
    """The company report first, then one per department (by department id)."""
    templating.check_locale(locale)
    generated = generated_at or facts.as_of
    company = Scope(
        ScopeKind.COMPANY, COMPANY_SCOPE_ID, facts.company_name or templating.message(LABELS, "company.name", locale)
    )
    reports = [
        _report(facts, company, COMPANY_SCOPE_ID, locale, generated, departments=tuple(d.name for d in facts.departments))
    ]
    for info in facts.departments:
        scope = Scope(ScopeKind.DEPARTMENT, department_scope_id(info.id), info.name, info.head)
        reports.append(_report(facts, scope, info.id, locale, generated))
    return reports


def build_reports(
    month: Month,
    *,
    session: Session,
    policy: Policy,
    calendar: WorkCalendar,
    as_of: datetime | None = None,
    locale: str = templating.DEFAULT_LOCALE,
) -> list[MonthlyReport]:
    """`collect_month` then `reports_from`: the month's reports in one locale."""
    facts = collect_month(month, session=session, policy=policy, calendar=calendar, as_of=as_of)
    return reports_from(facts, locale=locale)


def _pick(lists: dict[Dept, list[Any]], key: Dept | str, facts: MonthFacts) -> tuple[Any, ...]:
    return tuple(facts.every(lists)) if key == COMPANY_SCOPE_ID else tuple(lists.get(key, ()))  # type: ignore[arg-type]


def _report(
    facts: MonthFacts, scope: Scope, key: Dept | str, locale: str, generated: datetime,
    departments: tuple[str, ...] = (),
) -> MonthlyReport:
    tally = facts.tally
    last = facts.window.last

    def series(metric: str) -> list[float]:
        return tally.series(metric, key)  # type: ignore[arg-type]

    due = series("onboarding.due")
    on_time = series("onboarding.on_time")
    onboarding = OnboardingSection(
        due=int(due[last]),
        finished_on_time=_number(_parts(on_time, due)),
        on_time_rate=_percent(_rates(on_time, due)),
        missed=tuple(sorted(_pick(facts.missed, key, facts), key=lambda m: (m.deadline, m.person.name, m.person.userid))),
        deadline_days=facts.onboarding_days,
    )

    required = series("retraining.required")
    completed = series("retraining.completed")
    retraining = RetrainingSection(
        quarter=facts.retraining_period,
        required=int(required[last]),
        completed=_number(_parts(completed, required)),
        completion_rate=_percent(_rates(completed, required)),
        quarter_ends_on=period_bounds(facts.retraining_period)[1],
    )

    assessed = series("assessment.n")
    passed = series("assessment.passed")
    totals = series("assessment.total")
    counts = facts.band_counts.get(key, [0] * len(facts.bands))  # type: ignore[arg-type]
    by_score = lambda r: (r.score, r.person.name, r.person.userid)  # noqa: E731
    assessment = AssessmentSection(
        assessed=int(assessed[last]),
        pass_mark=facts.pass_mark,
        mean_score=Figure.from_trend(
            [round(t / n, 1) if n else None for t, n in zip(totals, assessed, strict=True)], Unit.SCORE
        ),
        pass_rate=_percent(_rates(passed, assessed)),
        failed_count=_number(_parts([n - p for n, p in zip(assessed, passed, strict=True)], assessed), Better.LOWER),
        distribution=tuple(
            ScoreBand(
                _band_label(lower, upper, index == 0, index == len(facts.bands) - 1),
                lower, upper, counts[index], upper <= facts.pass_mark,
            )
            for index, (lower, upper) in enumerate(facts.bands)
        ),
        failed=tuple(sorted(_pick(facts.failed, key, facts), key=by_score)),
        failed_twice=tuple(sorted(_pick(facts.failed_twice, key, facts), key=by_score)),
    )

    overdue_items = sorted(_pick(facts.overdue, key, facts), key=lambda item: (-item[4], item[0], item[1]))
    account_review = AccountReviewSection(
        opened=_number(_counts(series("findings.opened")), Better.NEUTRAL),
        closed=_number(_counts(series("findings.closed"))),
        overdue=_number(_counts(series("findings.overdue")), Better.LOWER),
        overdue_items=tuple(
            OverdueFinding(_finding_title(kind, about, locale), owner, due_on, days)
            for kind, about, owner, due_on, days in overdue_items
        ),
    )

    held = series("meetings.held")
    receipts = series("meetings.receipts")
    meetings = MeetingsSection(
        meetings=_number(_counts(held), Better.NEUTRAL),
        minutes_on_time_rate=_percent(_rates(series("meetings.on_time"), held)),
        acknowledgement_rate=_percent(_rates(series("meetings.acknowledged"), receipts)),
        late=tuple(sorted(_pick(facts.late_minutes, key, facts), key=lambda late: (late.held_on, late.meeting))),
        deadline_hours=facts.minutes_hours,
    )

    recipients = series("notices.recipients")
    acknowledged = series("notices.acknowledged")
    notices = NoticesSection(
        notices=_number(_counts(series("notices.sent")), Better.NEUTRAL),
        acknowledgement_rate=_percent(_rates(acknowledged, recipients)),
        unacknowledged=_number(
            _parts([r - a for r, a in zip(recipients, acknowledged, strict=True)], recipients), Better.LOWER
        ),
    )

    incident_count = series("incidents.count")
    incidents = IncidentsSection(
        count=_number(_counts(incident_count), Better.NEUTRAL),
        on_time_rate=_percent(_rates(series("incidents.on_time"), incident_count)),
        incidents=tuple(sorted(_pick(facts.incidents, key, facts), key=lambda i: (i.occurred_at, i.reference))),
        clock_minutes=facts.incident_minutes,
    )
    return MonthlyReport(
        scope=scope,
        period=facts.month,
        generated_at=generated,
        onboarding=onboarding,
        retraining=retraining,
        assessment=assessment,
        account_review=account_review,
        meetings=meetings,
        notices=notices,
        incidents=incidents,
        departments=departments,
        estimated_calendar_years=facts.estimated_calendar_years,
    )


def _finding_title(kind: str, about: str, locale: str) -> str:
    try:
        label = templating.message(LABELS, f"finding.{kind}", locale)
    except UserFacingError:
        label = templating.message(LABELS, "finding.other", locale)
    separator = "：" if locale == "zh" else ": "
    return f"{label}{separator}{about}"
