"""The demo company as plain, frozen data: departments, employees and the month's scenario.

Everything the scenario tests assert on is here as values (userids, dates, times), so a
test can say "the leaver is `company.scenario.leaver.userid`" instead of re-deriving it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from demo_company.behaviour import Behaviour

Role = Literal["employee", "manager", "hr", "admin", "it", "infosec", "leadership"]
ROLES: tuple[str, ...] = ("employee", "manager", "hr", "admin", "it", "infosec", "leadership")
# WeCom member status: 1 activated, 2 disabled, 4 not activated, 5 left.
WECOM_STATUSES = (1, 2, 4, 5)
ROOT_DEPARTMENT_ID = 1


@dataclass(frozen=True, slots=True)
class Department:
    id: int  # the WeCom department id
    name: str  # unique within the company, so the roster can name it
    parent_id: int  # 1 (the root) for top-level departments
    head: str | None  # userid of the department head (WeCom is_leader_in_dept)
    account_owner: str | None  # owner of the "one department, one account" account (v1 §3.1)
    function: str  # the top-level function it belongs to, e.g. "研发部"


@dataclass(frozen=True, slots=True)
class Employee:
    userid: str
    name: str
    department_id: int  # per HR's roster
    direct_leader: str | None
    role: Role
    hire_date: date
    leave_date: date | None = None
    # WeCom side: None = no WeCom account at all.
    wecom_status: int | None = 1
    # The department WeCom has the member in; differs from `department_id` for a mover.
    wecom_department_id: int | None = None
    wecom_direct_leader: str | None = None
    position: str = ""

    @property
    def has_wecom_account(self) -> bool:
        return self.wecom_status is not None

    @property
    def in_wecom_department(self) -> int:
        return self.department_id if self.wecom_department_id is None else self.wecom_department_id

    @property
    def leader_in_wecom(self) -> str | None:
        return self.direct_leader if self.wecom_direct_leader is None else self.wecom_direct_leader

    def employed_on(self, day: date) -> bool:
        return self.hire_date <= day and (self.leave_date is None or day <= self.leave_date)


@dataclass(frozen=True, slots=True)
class Joiner:
    userid: str
    hire_date: date
    department_id: int
    note: str  # why this joiner exists in the scenario, e.g. "before_weekend"


@dataclass(frozen=True, slots=True)
class Leaver:
    userid: str
    leave_date: date
    wecom_status: int  # stays 1: the account was never disabled


@dataclass(frozen=True, slots=True)
class Mover:
    userid: str
    roster_department_id: int  # where HR says they work now
    wecom_department_id: int  # where WeCom still has them
    transfer_date: date


@dataclass(frozen=True, slots=True)
class Meeting:
    key: str  # stable key within the scenario, e.g. "m1"
    title: str
    organiser: str
    attendees: tuple[str, ...]  # invitees, organiser excluded
    start: datetime  # aware, Asia/Shanghai
    end: datetime
    location: str
    source: Literal["api", "manual"]  # from WeCom's meeting API, or registered by hand
    meetingid: str | None  # WeCom meetingid for API meetings
    # When the organiser triggers the minutes, measured from the meeting's end.
    minutes_after_end: timedelta | None
    absent: tuple[str, ...] = ()  # invited but did not join

    @property
    def minutes_late(self) -> bool:
        return self.minutes_after_end is None or self.minutes_after_end > timedelta(hours=24)

    @property
    def duration_s(self) -> int:
        return int((self.end - self.start).total_seconds())


@dataclass(frozen=True, slots=True)
class Incident:
    """The v1 §4.3 report, as the `security_incident` Params form takes it."""

    what: str
    when: str  # as the reporter typed it, e.g. "2026-03-18 19:05"
    where: str
    scope: str
    impact: str
    measures: str
    people: tuple[str, ...]  # userids involved
    departments: tuple[int, ...]
    reporter: str
    reporter_department_head: str
    occurred_at: datetime
    reported_at: datetime  # when the DAG is triggered
    variant: Literal["acknowledged", "silent"]
    responder: str  # the infosec member who acknowledges
    acknowledged_after: timedelta  # from the first notification to the responder's click

    @property
    def acknowledged_in_time(self) -> bool:
        return self.acknowledged_after <= timedelta(minutes=30)

    def form(self) -> dict[str, Any]:
        """The Params form values (what, when, where, scope, impact, measures, people)."""
        return {
            "what": self.what,
            "when": self.when,
            "where": self.where,
            "scope": self.scope,
            "impact": self.impact,
            "measures": self.measures,
            "people": list(self.people),
        }


@dataclass(frozen=True, slots=True)
class Violation:
    userid: str
    occurred_on: date
    kind: str
    description: str
    severity: int
    recorded_by: str  # an admin


@dataclass(frozen=True, slots=True)
class Notice:
    key: str
    title: str
    body: str
    audience_departments: tuple[int, ...]  # (1,) = everyone
    published_at: datetime
    deadline: datetime
    urgent: bool = False


@dataclass(frozen=True, slots=True)
class AssessmentRecord:
    userid: str
    period: str  # YYYY-MM
    department_id: int
    scores: dict[str, float]
    total: float
    passed: bool


@dataclass(frozen=True, slots=True)
class Scenario:
    """The month's named facts. Every userid here exists in `Company.employees`."""

    month: str  # YYYY-MM
    previous_month: str
    working_days: tuple[date, ...]
    joiners: tuple[Joiner, ...]
    joiner_before_weekend: str
    training_never: str  # a joiner who never completes onboarding → escalation
    leaver: Leaver
    mover: Mover
    no_account: str  # in the roster, no WeCom account
    not_activated: str  # WeCom status 4
    former_employees: tuple[str, ...]  # left last month; WeCom status 2 and 5 (no finding)
    dept_without_owner: int
    meetings: tuple[Meeting, ...]
    late_minutes_meeting: str
    manual_meeting: str
    incident: Incident
    failed_last_month: tuple[str, ...]
    repeat_failers: tuple[str, ...]  # failed last month, never click, violations → expected to fail again
    recovered: tuple[str, ...]  # failed last month, behave this month
    violations: tuple[Violation, ...]
    notices: tuple[Notice, ...]

    def meeting(self, key: str) -> Meeting:
        for meeting in self.meetings:
            if meeting.key == key:
                return meeting
        raise KeyError(key)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: dates and datetimes as ISO strings, timedeltas as seconds."""
        return _plain(dataclasses.asdict(self))


@dataclass(frozen=True, slots=True)
class Cast:
    """The people with a function, by role."""

    ceo: str
    leadership: tuple[str, ...]
    hr: tuple[str, ...]
    admins: tuple[str, ...]
    it: tuple[str, ...]
    infosec: tuple[str, ...]
    department_heads: dict[int, str]
    # The scenario's named people by part, e.g. "leaver", "mover", "incident_responder".
    actors: dict[str, str] = field(default_factory=dict)


@dataclass(eq=False)
class Company:
    name: str
    seed: int
    departments: dict[int, Department]
    employees: dict[str, Employee]  # keyed by userid, in generation order
    cast: Cast
    scenario: Scenario
    behaviour: Behaviour
    timezone: str = "Asia/Shanghai"
    _by_department: dict[int, list[str]] | None = field(default=None, init=False, repr=False)

    def employee(self, userid: str) -> Employee:
        return self.employees[userid]

    def department(self, department_id: int) -> Department:
        return self.departments[department_id]

    def department_by_name(self, name: str) -> Department:
        for dept in self.departments.values():
            if dept.name == name:
                return dept
        raise KeyError(name)

    def members(self, department_id: int) -> list[str]:
        """Userids whose roster department is `department_id` (not its sub-departments)."""
        if self._by_department is None:
            index: dict[int, list[str]] = {d: [] for d in self.departments}
            for emp in self.employees.values():
                index[emp.department_id].append(emp.userid)
            self._by_department = index
        return list(self._by_department.get(department_id, []))

    def wecom_members(self) -> Iterator[Employee]:
        return (e for e in self.employees.values() if e.wecom_status is not None)

    def active_on(self, day: date) -> list[str]:
        return [e.userid for e in self.employees.values() if e.employed_on(day)]

    def department_path(self, department_id: int) -> str:
        names: list[str] = []
        node: int | None = department_id
        while node is not None and node in self.departments:
            names.append(self.departments[node].name)
            parent = self.departments[node].parent_id
            node = parent if parent != node else None
        return "/".join(reversed(names))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    return value
