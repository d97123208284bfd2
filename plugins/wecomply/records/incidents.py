"""Security incidents (v1 §4.3): the report, the 30-minute clock and the handling checklist.

An incident's key is derived from the report itself (reporter, time, what happened), so
submitting the same report again — a retried run, or the reporter re-triggering the form to
check on it — finds the same incident instead of opening a second one. Checklist steps are
`incident_steps` rows, only ever in the v1 §4.3 order (`wecomply.duties.incidents.advance`).

Repository functions take `*, session` and never commit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from wecomply.duties.incidents import Incident as IncidentFacts
from wecomply.duties.incidents import IncidentStage, StageRecord, advance
from wecomply.duties.model import Duty
from wecomply.errors import UserFacingError
from wecomply.records.models import Acknowledgement, Delivery, DeliveryStatus, Incident, IncidentStep, IncidentStepRecord

STAGE_STEPS: dict[IncidentStage, IncidentStep] = {
    IncidentStage.INITIAL_JUDGEMENT: IncidentStep.INITIAL_JUDGEMENT,
    IncidentStage.EMERGENCY_RESPONSE: IncidentStep.RESPONSE,
    IncidentStage.INVESTIGATION: IncidentStep.INVESTIGATION,
    IncidentStage.RECOVERY: IncidentStep.RECOVERY,
    IncidentStage.SUMMARY_REPORT: IncidentStep.SUMMARY_REPORT,
    IncidentStage.ACCOUNTABILITY: IncidentStep.ACCOUNTABILITY,
}
STEP_STAGES = {step: stage for stage, step in STAGE_STEPS.items()}
STEP_ALIASES: dict[str, IncidentStep] = {
    **{step.value: step for step in IncidentStep},
    "初步判断": IncidentStep.INITIAL_JUDGEMENT,
    "应急响应": IncidentStep.RESPONSE,
    "调查分析": IncidentStep.INVESTIGATION,
    "修复恢复": IncidentStep.RECOVERY,
    "总结报告": IncidentStep.SUMMARY_REPORT,
    "责任追究": IncidentStep.ACCOUNTABILITY,
}


class UnknownIncident(UserFacingError):
    """An incident key that matches no recorded incident."""


@dataclass(frozen=True)
class IncidentReport:
    """The v1 §4.3 report as the form takes it."""

    what: str
    when_text: str
    occurred_at: datetime | None
    where: str
    scope: str
    impact: str
    measures: str
    people: tuple[str, ...]
    department_id: int | None
    reporter: str


def incident_key(report: IncidentReport) -> str:
    seed = "\x1f".join((report.reporter, report.when_text, report.what))
    return "INC-" + hashlib.sha256(seed.encode("utf-8")).hexdigest()[:10]


def parse_step(text: str) -> IncidentStep:
    step = STEP_ALIASES.get((text or "").strip())
    if step is None:
        allowed = ", ".join(s.value for s in IncidentStep)
        raise UserFacingError(f"未知的处置步骤 {text!r} / unknown checklist step {text!r}; use one of: {allowed}")
    return step


def record_report(report: IncidentReport, *, session: Session, now: datetime) -> tuple[Incident, bool]:
    """The incident for this report; created (with the clock starting at `now`) if new."""
    key = incident_key(report)
    row = session.scalar(sa.select(Incident).where(Incident.key == key))
    if row is not None:
        return row, False
    involved: list[Any] = [{"kind": "person", "id": u} for u in report.people]
    if report.department_id is not None:
        involved.append({"kind": "department", "id": report.department_id})
    row = Incident(
        key=key, what=report.what, occurred_at=report.occurred_at, location=report.where[:255], scope=report.scope,
        impact=report.impact, measures_taken=report.measures, people_involved=involved,
        reporter_userid=report.reporter, clock_started_at=now,
    )
    session.add(row)
    session.flush()
    return row, True


def get_incident(key: str, *, session: Session) -> Incident:
    row = session.scalar(sa.select(Incident).where(Incident.key == (key or "").strip()))
    if row is None:
        raise UnknownIncident(
            f"找不到安全事件 {key!r} / no incident {key!r}: use the key on the incident card (INC-…)"
        )
    return row


def unacknowledged(*, session: Session) -> list[Incident]:
    """Incidents on the 30-minute clock: nobody from information security has taken them."""
    stmt = sa.select(Incident).where(Incident.acknowledged_at.is_(None), Incident.closed_at.is_(None))
    return list(session.scalars(stmt.order_by(Incident.id)))


def facts(row: Incident) -> IncidentFacts:
    people = tuple(str(p["id"]) for p in row.people_involved or [] if isinstance(p, dict) and p.get("kind") == "person")
    history = tuple(
        StageRecord(STEP_STAGES[IncidentStep(s.step)], s.completed_at, s.completed_by or "", s.notes or "")
        for s in sorted(row.steps, key=lambda s: s.seq)
        if s.completed_at is not None
    )
    return IncidentFacts(
        incident_id=row.key, reporter=row.reporter_userid or "", reported_at=row.clock_started_at, what=row.what,
        where=row.location, scope=row.scope, impact=row.impact, measures=row.measures_taken, people_involved=people,
        acknowledged_at=row.acknowledged_at, acknowledged_by=row.acknowledged_by, history=history,
    )


def advance_incident(key: str, step: IncidentStep, *, session: Session, at: datetime, by: str, note: str = "") -> Incident:
    """Record one checklist step (only the next one is allowed); the last closes the incident."""
    row = get_incident(key, session=session)
    current = facts(row)
    updated = advance(current, STEP_STAGES[step], at=at, by=by, note=note)
    started = current.history[-1].at if current.history else row.acknowledged_at or row.clock_started_at
    session.add(IncidentStepRecord(
        incident_id=row.id, step=step.value, seq=int(STEP_STAGES[step]), started_at=started,
        completed_at=at, completed_by=by, notes=note,
    ))
    if row.acknowledged_at is None:
        row.acknowledged_at, row.acknowledged_by = updated.acknowledged_at, updated.acknowledged_by
    if step is IncidentStep.ACCOUNTABILITY:
        row.closed_at = at
    session.flush()
    session.refresh(row)
    return row


def acknowledge_from_clicks(*, session: Session, responders: Collection[str]) -> int:
    """Stop the clock of incidents whose card a responder clicked (earliest click counts).

    `responders`: information security's userids; when empty, any recipient's click counts
    (the ladder then went to HR/admin as the fallback)."""
    waiting = {row.key: row for row in unacknowledged(session=session)}
    if not waiting:
        return 0
    allowed = {u.lower() for u in responders}
    stmt = (
        sa.select(Delivery.subject, Acknowledgement.userid, Acknowledgement.clicked_at)
        .join(Delivery, Delivery.id == Acknowledgement.delivery_id)
        .where(Delivery.duty == str(Duty.INCIDENT), Delivery.subject.in_(sorted(waiting)))
        .order_by(Acknowledgement.clicked_at, Acknowledgement.id)
    )
    stopped = 0
    for key, userid, clicked_at in session.execute(stmt):
        row = waiting[key]
        if row.acknowledged_at is None and (not allowed or userid.lower() in allowed):
            row.acknowledged_at, row.acknowledged_by = clicked_at, userid
            stopped += 1
    session.flush()
    return stopped


def mark_sent_steps(row: Incident, *, session: Session) -> None:
    """Copy when the first notification and the escalation really went out onto the incident."""
    sent = dict(
        session.execute(
            sa.select(Delivery.step, Delivery.sent_at).where(
                Delivery.duty == str(Duty.INCIDENT), Delivery.subject == row.key,
                Delivery.status.in_([DeliveryStatus.SENT.value, DeliveryStatus.IN_DOUBT.value]),
            )
        ).all()
    )
    firsts = [at for step, at in sent.items() if step.startswith("notify") and at is not None]
    escalations = [at for step, at in sent.items() if step.startswith("escalate") and at is not None]
    if row.notified_at is None and firsts:
        row.notified_at = min(firsts)
    if row.escalated_at is None and escalations:
        row.escalated_at = min(escalations)
