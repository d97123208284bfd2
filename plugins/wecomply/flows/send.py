"""Send a duty's actions through the outbox and record its escalations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wecomply.delivery import DeliveryRequest, deliver
from wecomply.duties.model import Action, ActionKind, Directory
from wecomply.flows.context import RunContext
from wecomply.flows.render import payload_for
from wecomply.records.assignments import record_escalation
from wecomply.records.models import DeliveryStatus


class DeliveriesStillOwed(RuntimeError):
    """Raised so that Airflow retries the task; the outbox makes the retry safe."""


def is_due(action: Action, ctx: RunContext) -> bool:
    """Non-urgent actions wait for the working window; a later in-hours run derives them again."""
    return action.urgent or action.send_at <= ctx.now


def send_actions(
    ctx: RunContext,
    actions: Sequence[Action],
    directory: Directory,
    *,
    extra_values: dict[str, Any] | None = None,
) -> dict[str, int]:
    due = [a for a in actions if is_due(a, ctx)]
    requests = [
        DeliveryRequest(
            duty=str(a.duty), subject=a.subject, period=a.period, step=a.step,
            recipients=a.recipients, payload=payload_for(a, directory, ctx.locale, extra=extra_values),
            urgent=a.urgent,
        )
        for a in due
    ]
    report = deliver(
        ctx.sessions, ctx.sender, requests, now=ctx.clock, worker_id=ctx.worker_id,
        duplicate_check_interval=ctx.policy.wecom_actions.duplicate_check_interval_s,
    )
    delivered = {
        key for key, outcome in report.outcomes.items()
        if outcome.status in (DeliveryStatus.SENT, DeliveryStatus.INVALID, DeliveryStatus.IN_DOUBT)
    }
    escalations = 0
    with ctx.sessions.begin() as session:
        for action in due:
            if action.kind is ActionKind.ESCALATE and action.key in delivered:
                escalations += record_escalation(
                    session=session, duty=str(action.duty), subject=action.subject,
                    about=f"{action.period}:{action.step}", level=action.level,
                    escalated_to=action.recipients, at=ctx.now, reason=action.template,
                )
    summary = report.summary() | {"held_for_working_hours": len(actions) - len(due), "escalations_recorded": escalations}
    if report.pending:
        raise DeliveriesStillOwed(
            f"{len(report.pending)} deliveries still owed after this attempt ({report.errors[:3]}); "
            "the task will be retried and sends only what is owed"
        )
    return summary
