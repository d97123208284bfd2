"""Periodic (quarterly) refresher and remedial training."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from tests.duties.company import at, staff
from wecomply.duties.model import Assignment, Duty
from wecomply.duties.training import (
    RemedialNeed,
    completion_rates,
    first_working_day,
    period_bounds,
    period_of,
    plan_periodic_training,
    plan_remedial_training,
)


def test_periods_and_their_first_working_days(calendar):
    assert period_of(date(2026, 2, 14)) == "2026Q1"
    assert period_of(date(2026, 2, 14), "monthly") == "2026-02"
    assert period_bounds("2026Q4") == (date(2026, 10, 1), date(2026, 12, 31))
    assert period_bounds("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    # 2026-01-01..03 are New Year holidays and Sunday 01-04 is a make-up working day.
    assert first_working_day("2026Q1", calendar) == date(2026, 1, 4)
    # 2025Q4 starts inside the National Day break.
    assert first_working_day("2025Q4", calendar) == date(2025, 10, 9)
    with pytest.raises(ValueError):
        period_bounds("2026Q5")


def plan(people, assignments, now, policy, calendar):
    return plan_periodic_training(people, assignments, now=now, policy=policy, calendar=calendar)


def test_every_active_employee_gets_the_quarter_refresher(policy, calendar, company):
    newcomer = staff("newcomer", hire_date=date(2026, 1, 20))
    leaver = staff("leaver", leave_date=date(2025, 12, 31), status="left")
    result = plan([*company, newcomer, leaver], [], at(2026, 1, 4, 10), policy, calendar)
    subjects = sorted(a.subject for a in result.new_assignments)
    assert subjects == sorted(p.userid for p in company)
    first = result.new_assignments[0]
    assert first.period == "2026Q1"
    assert first.assigned_at == at(2026, 1, 4, 9)
    # 20 working days after Sun 2026-01-04 (调休): 1/5..1/30 holds exactly 20.
    assert first.due_at == at(2026, 1, 30, 9)
    assert {a.step for a in result.actions} == {"assign"}


def test_nothing_before_the_quarters_first_working_day(policy, calendar, company):
    assert plan(company, [], at(2026, 1, 2, 10), policy, calendar).new_assignments == ()


def test_late_runs_give_the_same_assignment(policy, calendar, company):
    early = plan(company, [], at(2026, 1, 4, 10), policy, calendar).new_assignments
    late = plan(company, [], at(2026, 1, 14, 10), policy, calendar).new_assignments
    assert [(a.subject, a.assigned_at, a.due_at) for a in early] == [(a.subject, a.assigned_at, a.due_at) for a in late]


def test_deadline_is_capped_at_the_quarter_end(policy, calendar, company):
    monthly = policy.model_copy(
        update={"periodic_training": policy.periodic_training.model_copy(update={"cadence": "monthly"})}
    )
    # February 2026: first working day Mon 02-02; +20wd runs past the Spring Festival into March.
    result = plan(company, [], at(2026, 2, 2, 10), monthly, calendar)
    assert result.new_assignments[0].period == "2026-02"
    assert result.new_assignments[0].due_at == at(2026, 2, 28, 18)  # Sat 02-28 is a make-up day


def test_overdue_refresher_escalates_to_the_direct_leader(policy, calendar, company):
    bob = Assignment(Duty.PERIODIC_TRAINING, "bob", "2026Q1", at(2026, 1, 4, 9), at(2026, 1, 30, 9))
    result = plan(company, [bob], at(2026, 2, 2, 10), policy, calendar)
    bob_steps = [a for a in result.actions if a.subject == "bob"]
    assert [a.step for a in bob_steps] == ["assign", "remind-1", "remind-2", "escalate-leader"]
    assert bob_steps[-1].recipients == ("bob", "lead10")


def test_quiet_hours_and_the_spring_festival_hold_escalations(policy, calendar, company):
    # Due Fri 2026-02-13 09:00; escalate-department-head is 3 working days later: 02-14 (Sat, 调休),
    # then the Spring Festival break, 02-24, 02-25 → Wed 2026-02-25 09:00.
    bob = Assignment(Duty.PERIODIC_TRAINING, "bob", "2026Q1", at(2026, 1, 12, 9), at(2026, 2, 13, 9))
    during = [a for a in plan(company, [bob], at(2026, 2, 20, 10), policy, calendar).actions if a.subject == "bob"]
    assert [a.step for a in during] == ["assign", "remind-1", "remind-2", "escalate-leader"]
    assert all(a.send_at == at(2026, 2, 24, 9) for a in during)  # computed on a holiday: next window
    after = [a for a in plan(company, [bob], at(2026, 2, 25, 9, 30), policy, calendar).actions if a.subject == "bob"]
    assert after[-1].step == "escalate-department-head"
    assert after[-1].recipients == ("sales_head", "hr1")


def test_completion_rates_per_department(company):
    now = at(2026, 2, 10, 10)
    assignments = [
        Assignment(Duty.PERIODIC_TRAINING, "bob", "2026Q1", at(2026, 1, 4, 9), at(2026, 1, 30, 9), completed_at=at(2026, 1, 20, 9)),
        Assignment(Duty.PERIODIC_TRAINING, "lead10", "2026Q1", at(2026, 1, 4, 9), at(2026, 1, 30, 9), completed_at=at(2026, 2, 3, 9)),
        Assignment(Duty.PERIODIC_TRAINING, "sales_head", "2026Q1", at(2026, 1, 4, 9), at(2026, 1, 30, 9)),
        Assignment(Duty.PERIODIC_TRAINING, "hr1", "2026Q1", at(2026, 1, 4, 9), at(2026, 1, 30, 9), completed_at=at(2026, 3, 1, 9)),
        Assignment(Duty.PERIODIC_TRAINING, "bob", "2025Q4", at(2025, 10, 9, 9), at(2025, 11, 6, 9)),
    ]
    rates = {r.department_id: r for r in completion_rates(company, assignments, period="2026Q1", at=now)}
    assert (rates[10].assigned, rates[10].completed, rates[10].completed_on_time) == (3, 2, 1)
    assert rates[10].rate == pytest.approx(2 / 3)
    assert rates[20].rate == 0.0  # completed after `at`


def remedial(needs, people, assignments, now, policy, calendar):
    return plan_remedial_training(needs, people, assignments, now=now, policy=policy, calendar=calendar)


def test_remedial_training_is_assigned_once_and_tracked(policy, calendar, company):
    needs = [RemedialNeed("bob", "2026-02"), RemedialNeed("ghost", "2026-02")]
    now = at(2026, 3, 2, 10)
    first = remedial(needs, company, [], now, policy, calendar)
    assert [(a.subject, a.period, a.due_at) for a in first.new_assignments] == [
        ("bob", "remedial-2026-02", at(2026, 3, 16, 10))
    ]
    assert [a.key for a in first.actions] == [("remedial_training", "bob", "remedial-2026-02", "assign")]
    again = remedial(needs, company, first.new_assignments, now, policy, calendar)
    assert again.new_assignments == ()
    overdue = remedial([], company, first.new_assignments, at(2026, 3, 16, 11), policy, calendar)
    assert [a.step for a in overdue.actions] == ["assign", "remind-1", "escalate-leader"]
    assert overdue.actions[-1].recipients == ("bob", "lead10", "hr1")
    done = replace(first.new_assignments[0], completed_at=at(2026, 3, 10, 10))
    assert remedial([], company, [done], at(2026, 3, 20, 10), policy, calendar).actions == ()
