"""Week-one onboarding: assign on day 0, remind before the deadline, escalate after it."""

from __future__ import annotations

from wecomply.duties.model import Directory, Duty
from wecomply.duties.onboarding import plan_onboarding
from wecomply.flows.context import RunContext
from wecomply.flows.people import load_assignments, load_people, record_assignments
from wecomply.flows.send import send_actions


def run_onboarding(ctx: RunContext) -> dict[str, int]:
    with ctx.sessions.begin() as session:
        people = load_people(session)
        plan = plan_onboarding(
            people, load_assignments(session, Duty.ONBOARDING), now=ctx.now, policy=ctx.policy, calendar=ctx.calendar
        )
        created = record_assignments(session, plan.new_assignments, people, now=ctx.now)
    return {"new_assignments": created} | send_actions(ctx, plan.actions, Directory(people))
