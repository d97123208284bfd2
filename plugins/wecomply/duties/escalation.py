"""The generic reminder and escalation ladder.

Contract: `due_steps` returns **every** step whose time has come by `now`, already-sent
ones included, in the order they fall due. A run that was missed therefore catches up, and
returning a sent step again is harmless because the outbox key (duty, subject, period,
step) makes each step go out once. Nothing is returned once the assignment is completed.

A step's time comes from its anchor in the policy (`after_assigned`, `before_due` or
`after_due`). A non-urgent step that falls outside working hours becomes due at the start
of the next working window; urgent ladders (incidents) use the raw time. A reminder that
would fall at or before the assignment itself (a `before_due` longer than the whole
deadline) is dropped: the assignment card already says the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from wecomply.duties.model import Action, ActionKind, Assignment, Directory, Duty
from wecomply.policy.calendar import SHANGHAI, WorkCalendar
from wecomply.policy.config import LadderStep, Policy, RecipientRole

ASSIGN_STEP = "assign"


@dataclass(frozen=True, slots=True)
class ScheduledStep:
    step: str
    kind: ActionKind
    level: int  # 0 for assign/remind/notify; 1, 2, … for the escalations in time order
    notify: tuple[RecipientRole, ...]
    scheduled_at: datetime  # from the ladder alone
    effective_at: datetime  # when it may be sent (working window unless urgent)


def schedule(
    assigned_at: datetime,
    due_at: datetime,
    ladder: Sequence[LadderStep],
    calendar: WorkCalendar,
    *,
    urgent: bool = False,
) -> tuple[ScheduledStep, ...]:
    """Every step of the ladder with its time, in the order they fall due."""
    timed: list[tuple[datetime, int, LadderStep]] = []
    for index, rung in enumerate(ladder):
        if rung.after_assigned is not None:
            at = calendar.deadline(assigned_at, rung.after_assigned)
        elif rung.after_due is not None:
            at = calendar.deadline(due_at, rung.after_due)
        else:
            assert rung.before_due is not None  # the schema requires exactly one anchor
            at = calendar.before(due_at, rung.before_due)
            if at <= assigned_at:
                continue
        timed.append((at, index, rung))
    timed.sort(key=lambda item: (item[0], item[1]))
    steps: list[ScheduledStep] = []
    level = 0
    for at, _, rung in timed:
        kind = ActionKind(rung.kind)
        if kind is ActionKind.ESCALATE:
            level += 1
        steps.append(
            ScheduledStep(
                step=rung.step,
                kind=kind,
                level=level if kind is ActionKind.ESCALATE else 0,
                notify=tuple(rung.notify),
                scheduled_at=at.astimezone(SHANGHAI),
                effective_at=calendar.next_working_window(at, urgent=urgent).astimezone(SHANGHAI),
            )
        )
    return tuple(steps)


def due_steps(
    assigned_at: datetime,
    due_at: datetime,
    now: datetime,
    ladder: Sequence[LadderStep],
    calendar: WorkCalendar,
    *,
    urgent: bool = False,
    completed_at: datetime | None = None,
) -> tuple[ScheduledStep, ...]:
    """The steps due by `now` (all of them, see the module contract)."""
    if completed_at is not None and completed_at <= now:
        return ()
    return tuple(s for s in schedule(assigned_at, due_at, ladder, calendar, urgent=urgent) if s.effective_at <= now)


def send_time(now: datetime, calendar: WorkCalendar, *, urgent: bool) -> datetime:
    return calendar.next_working_window(now, urgent=urgent).astimezone(SHANGHAI)


def ladder_actions(
    assignment: Assignment,
    ladder: Sequence[LadderStep],
    *,
    now: datetime,
    policy: Policy,
    calendar: WorkCalendar,
    directory: Directory,
    urgent: bool = False,
    include_assign: bool = True,
    topic: str | None = None,
) -> tuple[Action, ...]:
    """The actions of one open assignment at `now`: the assign card (when `include_assign`)
    and every ladder step due. Template: `<duty>/<topic>`, topic defaulting to the step kind."""
    if assignment.is_done(now):
        return ()
    today = now.astimezone(SHANGHAI).date()
    duty = Duty(assignment.kind)
    send_at = send_time(now, calendar, urgent=urgent)
    actions: list[Action] = []

    def make(kind: ActionKind, step: str, recipients: tuple[str, ...], level: int) -> Action:
        return Action(
            kind=kind,
            duty=duty,
            subject=assignment.subject,
            period=assignment.period,
            step=step,
            recipients=recipients,
            template=f"{duty}/{topic or kind}",
            deadline=assignment.due_at,
            urgent=urgent,
            send_at=send_at,
            level=level,
            assignee=assignment.assignee,
        )

    if include_assign and calendar.next_working_window(assignment.assigned_at, urgent=urgent) <= now:
        recipients = directory.resolve(("assignee",), assignment.assignee, policy, today)
        actions.append(make(ActionKind.ASSIGN, ASSIGN_STEP, recipients, 0))
    for step in due_steps(
        assignment.assigned_at, assignment.due_at, now, ladder, calendar, urgent=urgent
    ):
        recipients = directory.resolve(step.notify, assignment.assignee, policy, today)
        actions.append(make(step.kind, step.step, recipients, step.level))
    return tuple(actions)


def upcoming(
    assignment: Assignment,
    ladder: Sequence[LadderStep],
    *,
    now: datetime,
    calendar: WorkCalendar,
    urgent: bool = False,
    include_assign: bool = True,
) -> tuple[ScheduledStep, ...]:
    """Steps not yet due at `now`, earliest first, so a caller (a manually triggered DAG, a
    sensor) can tell when to look again. Empty once the assignment is completed."""
    if assignment.is_done(now):
        return ()
    steps = list(schedule(assignment.assigned_at, assignment.due_at, ladder, calendar, urgent=urgent))
    if include_assign:
        steps.insert(
            0,
            ScheduledStep(
                step=ASSIGN_STEP,
                kind=ActionKind.ASSIGN,
                level=0,
                notify=("assignee",),
                scheduled_at=assignment.assigned_at.astimezone(SHANGHAI),
                effective_at=calendar.next_working_window(assignment.assigned_at, urgent=urgent).astimezone(SHANGHAI),
            ),
        )
    return tuple(sorted((s for s in steps if s.effective_at > now), key=lambda s: s.effective_at))
