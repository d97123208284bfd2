"""Periodic refresher training (v1 §6, §6.1; v2 §6.3) and remedial training (v1 §6.3).

Periodic: on the period's first working day every employee active then is assigned the
refresher (period "2026Q1", or "2026-03" for a monthly cadence). People hired after that
day are left to onboarding. The deadline is `periodic_training.deadline` after assignment,
capped at the end of working hours on the period's last working day. A first run after
that deadline (deployed or resumed mid-period) assigns from its own day instead, when the
full time to complete still fits in the period, and skips the period otherwise, so nobody
is born overdue.

Remedial: each person `assessment.consecutive_fails` names gets a remedial assignment
(period "remedial-<assessment period>") tracked through the same ladder machinery.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from wecomply.duties.escalation import ladder_actions
from wecomply.duties.model import Action, Assignment, Directory, Duty, DutyPlan, Person
from wecomply.policy.calendar import SHANGHAI, WorkCalendar
from wecomply.policy.config import LadderStep, Policy

_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def period_of(day: date, cadence: str = "quarterly") -> str:
    if cadence == "quarterly":
        return f"{day.year}Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


def period_bounds(period: str) -> tuple[date, date]:
    """First and last calendar day of "2026Q1" or "2026-03"."""
    if m := _QUARTER.match(period):
        year, first_month = int(m.group(1)), 3 * (int(m.group(2)) - 1) + 1
        months = 3
    elif m := _MONTH.match(period):
        year, first_month, months = int(m.group(1)), int(m.group(2)), 1
    else:
        raise ValueError(f"period {period!r} is neither YYYYQn nor YYYY-MM")
    start = date(year, first_month, 1)
    end_month = first_month + months
    end = date(year + (end_month > 12), (end_month - 1) % 12 + 1, 1)
    return start, date.fromordinal(end.toordinal() - 1)


def first_working_day(period: str, calendar: WorkCalendar) -> date:
    return calendar.first_working_day_on_or_after(period_bounds(period)[0])


def plan_periodic_training(
    people: Iterable[Person],
    assignments: Iterable[Assignment],
    *,
    now: datetime,
    policy: Policy,
    calendar: WorkCalendar,
) -> DutyPlan:
    """The current period's refresher: new assignments (from its first working day on) and
    the actions of every open one of this period. `assignments`: recorded periodic ones."""
    settings = policy.periodic_training
    today = now.astimezone(SHANGHAI).date()
    period = period_of(today, settings.cadence)
    first = first_working_day(period, calendar)
    assigned_at = calendar.window_start(first)
    directory = Directory(people)
    existing = {
        a.subject: a for a in assignments if a.kind == Duty.PERIODIC_TRAINING and a.period == period
    }
    new: list[Assignment] = []
    if now >= assigned_at:
        last_window = calendar.window_end(calendar.last_working_day_on_or_before(period_bounds(period)[1]))
        due = min(calendar.deadline(assigned_at, settings.deadline), last_window)
        if now >= due:
            # First run after the period's own deadline (a deployment or an outage mid-period):
            # counting from the first working day would create assignments already overdue
            # and escalate everyone on the spot, so the full time to complete counts from
            # today, if it still fits in the period; otherwise this period is skipped.
            assigned_at = calendar.window_start(calendar.first_working_day_on_or_after(today))
            due = calendar.deadline(assigned_at, settings.deadline)
        candidates = directory if assigned_at < due <= last_window else ()
        for person in candidates:
            if person.userid in existing or not person.is_active(today) or person.hire_date > first:
                continue
            assignment = Assignment(
                kind=Duty.PERIODIC_TRAINING,
                subject=person.userid,
                period=period,
                assigned_at=assigned_at,
                due_at=due,
            )
            new.append(assignment)
            existing[person.userid] = assignment
    return DutyPlan(
        new_assignments=tuple(new),
        actions=_open_actions(existing.values(), settings.ladder, directory, now, policy, calendar),
    )


@dataclass(frozen=True, slots=True)
class RemedialNeed:
    userid: str
    assessment_period: str  # the month whose result completed the run of fails, "2026-03"


def remedial_period(assessment_period: str) -> str:
    return f"remedial-{assessment_period}"


def plan_remedial_training(
    needs: Iterable[RemedialNeed],
    people: Iterable[Person],
    assignments: Iterable[Assignment],
    *,
    now: datetime,
    policy: Policy,
    calendar: WorkCalendar,
) -> DutyPlan:
    """Remedial assignments for `needs` (new ones only) and actions for every open one."""
    directory = Directory(people)
    existing = {(a.subject, a.period): a for a in assignments if a.kind == Duty.REMEDIAL_TRAINING}
    new = new_remedial_assignments(needs, directory, existing, now=now, policy=policy, calendar=calendar)
    existing.update({(a.subject, a.period): a for a in new})
    return DutyPlan(
        new_assignments=new,
        actions=_open_actions(
            existing.values(), policy.remedial_training.ladder, directory, now, policy, calendar
        ),
    )


def new_remedial_assignments(
    needs: Iterable[RemedialNeed],
    directory: Directory,
    taken: Iterable[tuple[str, str]],
    *,
    now: datetime,
    policy: Policy,
    calendar: WorkCalendar,
) -> tuple[Assignment, ...]:
    """The remedial assignments `needs` call for, but not those whose (userid, period) is
    `taken`, for the people active today (`directory` need hold only the people in `needs`)."""
    taken = set(taken)
    today = now.astimezone(SHANGHAI).date()
    new: list[Assignment] = []
    for need in needs:
        key = (need.userid, remedial_period(need.assessment_period))
        if key in taken or not directory.is_active(need.userid, today):
            continue
        new.append(Assignment(
            kind=Duty.REMEDIAL_TRAINING,
            subject=need.userid,
            period=key[1],
            assigned_at=now,
            due_at=calendar.deadline(now, policy.remedial_training.deadline),
        ))
        taken.add(key)
    return tuple(new)


def _open_actions(
    assignments: Iterable[Assignment],
    ladder: Sequence[LadderStep],
    directory: Directory,
    now: datetime,
    policy: Policy,
    calendar: WorkCalendar,
) -> tuple[Action, ...]:
    today = now.astimezone(SHANGHAI).date()
    actions: list[Action] = []
    for assignment in sorted(assignments, key=lambda a: (a.subject, a.period)):
        if directory.is_active(assignment.subject, today):
            actions.extend(
                ladder_actions(
                    assignment, ladder, now=now, policy=policy, calendar=calendar, directory=directory
                )
            )
    return tuple(actions)


@dataclass(frozen=True, slots=True)
class DepartmentCompletion:
    department_id: int
    assigned: int
    completed: int
    completed_on_time: int

    @property
    def rate(self) -> float:
        """Completed share, 0.0–1.0 (1.0 for a department with nothing assigned)."""
        return self.completed / self.assigned if self.assigned else 1.0

    @property
    def on_time_rate(self) -> float:
        return self.completed_on_time / self.assigned if self.assigned else 1.0


def completion_rates(
    people: Iterable[Person], assignments: Iterable[Assignment], *, period: str, at: datetime
) -> tuple[DepartmentCompletion, ...]:
    """Per department (the assignee's current department), as of `at`, for one period."""
    department = {p.userid: p.department_id for p in people}
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for a in assignments:
        if a.period != period or a.subject not in department:
            continue
        row = counts[department[a.subject]]
        row[0] += 1
        if a.is_done(at):
            row[1] += 1
            row[2] += a.on_time()
    return tuple(DepartmentCompletion(dept, *row) for dept, row in sorted(counts.items()))
