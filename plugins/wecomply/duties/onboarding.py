"""Week-one onboarding training (v1 §6, §2.2; v2 §3.1).

A new hire gets the training card on day 0 (period = the hire date, so a rehire is a new
duty), reminders before the deadline (policy `onboarding.deadline`, 7 calendar days from
the hire date's working-day start), and at the deadline an escalation to the direct
leader and HR. A completed assignment, or a hire who has left, gets nothing more.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from wecomply.duties.escalation import ladder_actions
from wecomply.duties.model import Assignment, Directory, Duty, DutyPlan, Person
from wecomply.policy.calendar import SHANGHAI, WorkCalendar
from wecomply.policy.config import Policy


def onboarding_period(person: Person) -> str:
    return person.hire_date.isoformat()


def onboarding_due(person: Person, policy: Policy, calendar: WorkCalendar) -> datetime:
    return calendar.deadline(calendar.window_start(person.hire_date), policy.onboarding.deadline)


def is_new_hire(person: Person, now: datetime, policy: Policy, calendar: WorkCalendar) -> bool:
    """Hired on or before today, and recently enough (`onboarding.assign_within`) to assign."""
    today = now.astimezone(SHANGHAI).date()
    if not person.is_active(today) or person.hire_date > today:
        return False
    window = policy.onboarding.assign_within
    if window.unit == "wd":
        return calendar.working_days_between(person.hire_date, today) <= window.amount
    return today - person.hire_date <= timedelta(days=window.amount)


def plan_onboarding(
    people: Iterable[Person],
    assignments: Iterable[Assignment],
    *,
    now: datetime,
    policy: Policy,
    calendar: WorkCalendar,
) -> DutyPlan:
    """New onboarding assignments for recent hires, and the actions of every open one.

    `assignments` are the recorded onboarding assignments (any period); new ones returned
    here must be recorded by the caller. `assigned_at` of a new one is `now`.
    """
    directory = Directory(people)
    existing = {(a.subject, a.period): a for a in assignments if a.kind == Duty.ONBOARDING}
    new: list[Assignment] = []
    for person in directory:
        key = (person.userid, onboarding_period(person))
        if key not in existing and is_new_hire(person, now, policy, calendar):
            assignment = Assignment(
                kind=Duty.ONBOARDING,
                subject=person.userid,
                period=key[1],
                assigned_at=now,
                due_at=onboarding_due(person, policy, calendar),
            )
            new.append(assignment)
            existing[key] = assignment
    today = now.astimezone(SHANGHAI).date()
    actions = []
    for assignment in sorted(existing.values(), key=lambda a: (a.subject, a.period)):
        if not directory.is_active(assignment.subject, today):
            continue
        actions.extend(
            ladder_actions(
                assignment,
                policy.onboarding.ladder,
                now=now,
                policy=policy,
                calendar=calendar,
                directory=directory,
            )
        )
    return DutyPlan(new_assignments=tuple(new), actions=tuple(actions))
