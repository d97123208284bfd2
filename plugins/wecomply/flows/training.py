"""Refresher training each period (v1 §6, §6.1) and remedial training (v1 §6.3).

Periodic: on the period's first working day everyone active is assigned the refresher;
then the policy's ladder reminds and escalates. Remedial: the monthly assessment records
a remedial assignment for each person with two consecutive fails; this flow sends its card
and walks its ladder. Completion per department is snapshotted daily for the report.
"""

from __future__ import annotations

from wecomply.duties.model import Directory, Duty
from wecomply.duties.training import completion_rates, period_of, plan_periodic_training, plan_remedial_training
from wecomply.flows.context import RunContext
from wecomply.flows.people import load_assignments, load_people, record_assignments
from wecomply.flows.send import send_actions
from wecomply.policy.calendar import SHANGHAI
from wecomply.records.training import CompletionSnapshot, record_completion


def current_period(ctx: RunContext) -> str:
    return period_of(ctx.now.astimezone(SHANGHAI).date(), ctx.policy.periodic_training.cadence)


def run_periodic_training(ctx: RunContext) -> dict[str, int]:
    """Assign the current period's refresher (from its first working day) and send what is due."""
    period = current_period(ctx)
    with ctx.sessions.begin() as session:
        people = load_people(session)
        plan = plan_periodic_training(
            people,
            load_assignments(session, Duty.PERIODIC_TRAINING, period=period),
            now=ctx.now, policy=ctx.policy, calendar=ctx.calendar,
        )
        created = record_assignments(session, plan.new_assignments, people, now=ctx.now)
    return {"new_assignments": created} | send_actions(ctx, plan.actions, Directory(people))


def run_remedial_training(ctx: RunContext) -> dict[str, int]:
    """Send the cards, reminders and escalations of every open remedial assignment.

    The assignments themselves are recorded by the monthly assessment (no needs here), so
    this flow only tracks them, exactly like the refresher.
    """
    with ctx.sessions.begin() as session:
        people = load_people(session)
        plan = plan_remedial_training(
            (), people, load_assignments(session, Duty.REMEDIAL_TRAINING),
            now=ctx.now, policy=ctx.policy, calendar=ctx.calendar,
        )
    return send_actions(ctx, plan.actions, Directory(people))


def record_training_completion(ctx: RunContext) -> dict[str, int]:
    """Snapshot the current period's completion per department as of the run's time."""
    period = current_period(ctx)
    today = ctx.now.astimezone(SHANGHAI).date()
    with ctx.sessions.begin() as session:
        people = load_people(session)
        assignments = load_assignments(session, Duty.PERIODIC_TRAINING, period=period)
        rates = completion_rates(people, assignments, period=period, at=ctx.now)
        snapshots = [
            CompletionSnapshot(
                kind=str(Duty.PERIODIC_TRAINING), period=period, department_id=r.department_id, as_of=today,
                assigned=r.assigned, completed=r.completed, completed_on_time=r.completed_on_time,
            )
            for r in rates
        ]
        record_completion(snapshots, session=session, now=ctx.now)
    return {
        "departments": len(snapshots),
        "assigned": sum(s.assigned for s in snapshots),
        "completed": sum(s.completed for s in snapshots),
        "completed_on_time": sum(s.completed_on_time for s in snapshots),
    }
