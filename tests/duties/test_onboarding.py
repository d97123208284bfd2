"""Week-one onboarding: assign on day 0, remind, escalate at 7 days, stop when done."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from tests.duties.company import at, staff
from wecomply.duties.model import Assignment, Duty
from wecomply.duties.onboarding import plan_onboarding

ALICE = staff("alice", hire_date=date(2026, 3, 2))  # Monday


def plan(people, assignments, now, policy, calendar):
    return plan_onboarding(people, assignments, now=now, policy=policy, calendar=calendar)


def test_new_hire_gets_the_card_on_day_zero(policy, calendar, company):
    result = plan([*company, ALICE], [], at(2026, 3, 2, 9, 30), policy, calendar)
    assert [(a.subject, a.period, a.due_at) for a in result.new_assignments] == [
        ("alice", "2026-03-02", at(2026, 3, 9, 9))
    ]
    assert [(a.key, a.recipients, a.template) for a in result.actions] == [
        (("onboarding", "alice", "2026-03-02", "assign"), ("alice",), "onboarding/assign")
    ]


def test_rerun_creates_nothing_new_and_repeats_the_same_keys(policy, calendar, company):
    now = at(2026, 3, 2, 9, 30)
    first = plan([*company, ALICE], [], now, policy, calendar)
    second = plan([*company, ALICE], first.new_assignments, now, policy, calendar)
    assert second.new_assignments == ()
    assert [a.key for a in second.actions] == [a.key for a in first.actions]


def test_reminders_then_escalation_to_leader_and_hr(policy, calendar, company):
    assignment = Assignment(Duty.ONBOARDING, "alice", "2026-03-02", at(2026, 3, 2, 9, 30), at(2026, 3, 9, 9))
    before = plan([*company, ALICE], [assignment], at(2026, 3, 6, 10), policy, calendar)
    assert [a.step for a in before.actions] == ["assign", "remind-1", "remind-2"]
    overdue = plan([*company, ALICE], [assignment], at(2026, 3, 9, 9, 30), policy, calendar)
    escalation = overdue.actions[-1]
    assert escalation.step == "escalate-leader"
    assert escalation.recipients == ("alice", "lead10", "hr1")


def test_completed_and_departed_get_nothing(policy, calendar, company):
    done = Assignment(
        Duty.ONBOARDING, "alice", "2026-03-02", at(2026, 3, 2, 9, 30), at(2026, 3, 9, 9), completed_at=at(2026, 3, 4, 15)
    )
    assert plan([*company, ALICE], [done], at(2026, 3, 12, 10), policy, calendar).actions == ()
    open_ = replace(done, completed_at=None)
    gone = replace(ALICE, leave_date=date(2026, 3, 5), status="left")
    assert plan([*company, gone], [open_], at(2026, 3, 12, 10), policy, calendar).actions == ()


def test_only_recent_hires_are_assigned(policy, calendar, company):
    old = staff("old", hire_date=date(2026, 2, 1))
    future = staff("future", hire_date=date(2026, 3, 20))
    result = plan([*company, old, future, ALICE], [], at(2026, 3, 2, 10), policy, calendar)
    assert [a.subject for a in result.new_assignments] == ["alice"]


def test_evening_run_records_the_hire_but_sends_next_morning(policy, calendar, company):
    evening = plan([*company, ALICE], [], at(2026, 3, 2, 20), policy, calendar)
    assert len(evening.new_assignments) == 1 and evening.actions == ()
    morning = plan([*company, ALICE], evening.new_assignments, at(2026, 3, 3, 9, 5), policy, calendar)
    assert [a.step for a in morning.actions] == ["assign"]


def test_deadline_on_a_public_holiday_escalates_after_it(policy, calendar, company):
    # Hired Mon 2025-09-29: the 7-day deadline, Mon 2025-10-06, is inside the National Day break.
    dave = staff("dave", hire_date=date(2025, 9, 29))
    created = plan([*company, dave], [], at(2025, 9, 29, 10), policy, calendar).new_assignments
    assert created[0].due_at == at(2025, 10, 6, 9)
    holiday = plan([*company, dave], created, at(2025, 10, 7, 10), policy, calendar)
    assert "escalate-leader" not in [a.step for a in holiday.actions]
    back = plan([*company, dave], created, at(2025, 10, 9, 9, 30), policy, calendar)
    assert back.actions[-1].step == "escalate-leader"
