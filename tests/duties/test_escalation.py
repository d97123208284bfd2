"""The generic ladder: timing, catch-up, quiet hours, holidays, completion."""

from __future__ import annotations

from tests.duties.company import at
from wecomply.duties.escalation import due_steps, ladder_actions, schedule, upcoming
from wecomply.duties.model import ActionKind, Assignment, Directory, Duty

# Hire date Mon 2026-03-02; the onboarding deadline is 7 days later, Mon 2026-03-09 09:00.
ASSIGNED = at(2026, 3, 2, 9, 30)
DUE = at(2026, 3, 9, 9)


def test_schedule_orders_steps_and_numbers_escalations(policy, calendar):
    steps = schedule(ASSIGNED, DUE, policy.onboarding.ladder, calendar)
    assert [(s.step, s.effective_at, s.level) for s in steps] == [
        ("remind-1", at(2026, 3, 4, 9), 0),  # 3 working days before the deadline
        ("remind-2", at(2026, 3, 6, 9), 0),
        ("escalate-leader", at(2026, 3, 9, 9), 1),
        ("escalate-department-head", at(2026, 3, 11, 9), 2),
        ("escalate-hr", at(2026, 3, 16, 9), 3),
    ]


def test_a_missed_run_catches_up_with_every_due_step(policy, calendar):
    steps = due_steps(ASSIGNED, DUE, at(2026, 3, 10, 10), policy.onboarding.ladder, calendar)
    assert [s.step for s in steps] == ["remind-1", "remind-2", "escalate-leader"]


def test_completion_stops_the_ladder(policy, calendar):
    done = at(2026, 3, 5, 11)
    assert due_steps(ASSIGNED, DUE, at(2026, 3, 20, 10), policy.onboarding.ladder, calendar, completed_at=done) == ()
    # Completion recorded after `now` (a backfill of an earlier day) does not hide that day's steps.
    assert due_steps(ASSIGNED, DUE, at(2026, 3, 4, 10), policy.onboarding.ladder, calendar, completed_at=done)


def test_step_due_in_quiet_hours_waits_for_monday(policy, calendar):
    # Deadline Fri 2026-03-06 20:00: the escalation waits until Mon 09:00.
    steps = schedule(at(2026, 2, 27, 20), at(2026, 3, 6, 20), policy.onboarding.ladder, calendar)
    leader = next(s for s in steps if s.step == "escalate-leader")
    assert leader.scheduled_at == at(2026, 3, 6, 20)
    assert leader.effective_at == at(2026, 3, 9, 9)
    saturday = at(2026, 3, 7, 10)
    monday = at(2026, 3, 9, 9, 30)
    for now, expected in ((saturday, False), (monday, True)):
        due = due_steps(at(2026, 2, 27, 20), at(2026, 3, 6, 20), now, policy.onboarding.ladder, calendar)
        assert ("escalate-leader" in [s.step for s in due]) is expected, now


def test_step_due_on_a_public_holiday_waits_for_the_next_working_day(policy, calendar):
    # Deadline Thu 2025-10-02 (National Day): escalation on Thu 2025-10-09 09:00.
    steps = schedule(at(2025, 9, 25, 10), at(2025, 10, 2, 10), policy.onboarding.ladder, calendar)
    leader = next(s for s in steps if s.step == "escalate-leader")
    assert leader.effective_at == at(2025, 10, 9, 9)
    # escalate-department-head is 2 working days after the deadline: 10/9, 10/10 → Fri 10/10 10:00.
    head = next(s for s in steps if s.step == "escalate-department-head")
    assert head.scheduled_at == at(2025, 10, 10, 10)


def test_urgent_ladders_keep_raw_times(policy, calendar):
    steps = schedule(at(2026, 3, 7, 23), at(2026, 3, 7, 23, 30), policy.incidents.ladder, calendar, urgent=True)
    assert [(s.step, s.effective_at) for s in steps] == [
        ("notify-infosec", at(2026, 3, 7, 23)),
        ("remind-infosec", at(2026, 3, 7, 23, 15)),
        ("escalate-leadership", at(2026, 3, 7, 23, 30)),
    ]


def test_reminder_before_the_assignment_is_dropped(policy, calendar):
    # A 1-working-day deadline leaves no room for "3 working days before".
    steps = schedule(at(2026, 3, 9, 10), at(2026, 3, 10, 10), policy.onboarding.ladder, calendar)
    assert "remind-1" not in [s.step for s in steps]
    assert "remind-2" not in [s.step for s in steps]  # exactly at the assignment time


def test_actions_carry_stable_keys_recipients_and_send_time(policy, calendar, company):
    assignment = Assignment(Duty.ONBOARDING, "bob", "2026-03-02", ASSIGNED, DUE)
    evening = at(2026, 3, 9, 19)
    actions = ladder_actions(
        assignment, policy.onboarding.ladder, now=evening, policy=policy, calendar=calendar, directory=Directory(company)
    )
    assert [a.key for a in actions] == [
        ("onboarding", "bob", "2026-03-02", step) for step in ("assign", "remind-1", "remind-2", "escalate-leader")
    ]
    escalation = actions[-1]
    assert escalation.kind is ActionKind.ESCALATE and escalation.level == 1
    assert escalation.recipients == ("bob", "lead10", "hr1")
    assert escalation.template == "onboarding/escalate"
    assert escalation.deadline == DUE
    assert escalation.send_at == at(2026, 3, 10, 9)  # computed at 19:00, sent next morning
    assert not escalation.urgent


def test_missing_leader_falls_back_to_hr(policy, calendar, company):
    from dataclasses import replace

    people = [replace(p, direct_leader=None) if p.userid == "bob" else p for p in company]
    assignment = Assignment(Duty.ONBOARDING, "bob", "2026-03-02", ASSIGNED, DUE)
    actions = ladder_actions(
        assignment, policy.onboarding.ladder[3:4], now=at(2026, 3, 12, 10), policy=policy, calendar=calendar,
        directory=Directory(people), include_assign=False,
    )
    # escalate-department-head names the department head; the sales head is still there.
    assert actions[0].recipients == ("sales_head", "hr1")
    orphan = [replace(p, direct_leader=None, department_head=None) if p.userid == "bob" else p for p in company]
    lone = ladder_actions(
        assignment, [policy.onboarding.ladder[2].model_copy(update={"notify": ["direct_leader"]})],
        now=at(2026, 3, 12, 10), policy=policy, calendar=calendar, directory=Directory(orphan), include_assign=False,
    )
    assert lone[0].recipients == ("hr1",)


def test_upcoming_says_when_to_look_again(policy, calendar):
    assignment = Assignment(Duty.ONBOARDING, "bob", "2026-03-02", at(2026, 3, 2, 20), DUE)
    steps = upcoming(assignment, policy.onboarding.ladder, now=at(2026, 3, 2, 20), calendar=calendar)
    assert (steps[0].step, steps[0].effective_at) == ("assign", at(2026, 3, 3, 9))
    done = Assignment(Duty.ONBOARDING, "bob", "2026-03-02", ASSIGNED, DUE, completed_at=at(2026, 3, 3, 9))
    assert upcoming(done, policy.onboarding.ladder, now=at(2026, 3, 4, 9), calendar=calendar) == ()
