"""Assignments (something one person must do by a deadline) and escalations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from wecomply.records.bulk import chunks, dialect_insert, insert_ignore
from wecomply.records.models import Assignment, AssignmentStatus, Escalation


@dataclass(frozen=True)
class AssignmentSpec:
    kind: str
    subject_userid: str
    period: str
    due_at: datetime
    department_id: int | None = None
    ref_type: str | None = None
    ref_id: str | None = None


def ensure_assignments(specs: Sequence[AssignmentSpec], *, session: Session, now: datetime) -> int:
    """Create the assignments that do not exist yet (unique on kind, subject, period).

    Existing ones are left untouched, so re-running a task never moves a deadline.
    Returns how many were created.
    """
    rows = [
        {
            "kind": s.kind,
            "subject_userid": s.subject_userid,
            "period": s.period,
            "due_at": s.due_at,
            "department_id": s.department_id,
            "ref_type": s.ref_type,
            "ref_id": s.ref_id,
            "assigned_at": now,
            "status": AssignmentStatus.OPEN.value,
        }
        for s in specs
    ]
    return insert_ignore(session, Assignment.__table__, rows, conflict=("kind", "subject_userid", "period"))


def assignment_ids(kind: str, period: str, userids: Iterable[str], *, session: Session) -> dict[str, int]:
    t = Assignment.__table__
    out: dict[str, int] = {}
    for chunk in chunks(sorted(set(userids)), 5000):
        stmt = sa.select(t.c.subject_userid, t.c.id).where(
            t.c.kind == kind, t.c.period == period, t.c.subject_userid.in_(list(chunk))
        )
        out.update({row.subject_userid: row.id for row in session.execute(stmt)})
    return out


def open_assignments(
    *, session: Session, kind: str | None = None, period: str | None = None, due_before: datetime | None = None
) -> list[Assignment]:
    stmt = sa.select(Assignment).where(Assignment.status == AssignmentStatus.OPEN.value)
    if kind is not None:
        stmt = stmt.where(Assignment.kind == kind)
    if period is not None:
        stmt = stmt.where(Assignment.period == period)
    if due_before is not None:
        stmt = stmt.where(Assignment.due_at < due_before)
    return list(session.scalars(stmt.order_by(Assignment.id)))


def complete_assignment(assignment_id: int, *, session: Session, at: datetime, evidence: dict[str, Any]) -> bool:
    """Mark an open assignment done; returns False if it was not open."""
    result = session.execute(
        sa.update(Assignment)
        .where(Assignment.id == assignment_id, Assignment.status == AssignmentStatus.OPEN.value)
        .values(status=AssignmentStatus.COMPLETED.value, completed_at=at, evidence=evidence)
    )
    return result.rowcount == 1


def record_escalation(
    *,
    session: Session,
    duty: str,
    subject: str,
    about: str,
    level: int,
    escalated_to: Sequence[str],
    at: datetime,
    reason: str = "",
    assignment_id: int | None = None,
    delivery_id: int | None = None,
) -> bool:
    """Record an escalation once per (duty, subject, about, level); False if it existed."""
    stmt = (
        dialect_insert(session, Escalation.__table__)
        .values(
            duty=duty,
            subject=subject,
            about=about,
            level=level,
            escalated_to=list(escalated_to),
            escalated_at=at,
            reason=reason,
            assignment_id=assignment_id,
            delivery_id=delivery_id,
        )
        .on_conflict_do_nothing(index_elements=["duty", "subject", "about", "level"])
        .returning(Escalation.__table__.c.id)
    )
    return session.execute(stmt).scalar_one_or_none() is not None
