"""Monthly assessments and the violations that feed them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from wecomply.records.bulk import upsert
from wecomply.records.models import Assessment, Violation


@dataclass(frozen=True)
class AssessmentRow:
    userid: str
    period: str  # YYYY-MM
    scores: dict[str, float]
    total: float
    passed: bool
    department_id: int | None = None
    details: dict[str, Any] = field(default_factory=dict)


def upsert_assessments(rows: Sequence[AssessmentRow], *, session: Session, now: datetime) -> int:
    """Write a month's results in bulk: new and changed rows only, so re-running a month on
    the same inputs writes nothing (100k rewritten rows cost a re-run seconds) and
    `computed_at` keeps when each result was last different. Returns the rows written."""
    t = Assessment.__table__
    # The JSON columns read as text and decoded once per distinct text: 100k results hold
    # a few thousand distinct score sets, and decoding each row's copy cost ~1 s.
    decoded: dict[str, Any] = {}

    def decode(text: str | None) -> Any:
        if text not in decoded:
            decoded[text] = None if text is None else json.loads(text)
        return decoded[text]

    stored = {
        (userid, period): (department_id, decode(scores), total, passed, decode(details))
        for userid, period, department_id, scores, total, passed, details in session.execute(
            sa.select(
                t.c.userid, t.c.period, t.c.department_id, sa.cast(t.c.scores, sa.Text), t.c.total, t.c.passed,
                sa.cast(t.c.details, sa.Text),
            ).where(t.c.period.in_(sorted({r.period for r in rows})))
        )
    } if rows else {}
    changed = [
        r for r in rows
        if stored.get((r.userid, r.period)) != (r.department_id, r.scores, r.total, r.passed, r.details)
    ]
    upsert(
        session,
        t,
        [
            {
                "userid": r.userid,
                "period": r.period,
                "department_id": r.department_id,
                "scores": r.scores,
                "total": r.total,
                "passed": r.passed,
                "details": r.details,
                "computed_at": now,
            }
            for r in changed
        ],
        conflict=("userid", "period"),
        update=("department_id", "scores", "total", "passed", "details", "computed_at"),
    )
    return len(changed)


def results_for(period: str, *, session: Session) -> dict[str, Assessment]:
    return {a.userid: a for a in session.scalars(sa.select(Assessment).where(Assessment.period == period))}


def failed_in_all(periods: Iterable[str], *, session: Session) -> set[str]:
    """Userids who failed every one of `periods` (e.g. this month and the previous one)."""
    wanted = sorted(set(periods))
    t = Assessment.__table__
    stmt = (
        sa.select(t.c.userid)
        .where(t.c.period.in_(wanted), t.c.passed.is_(False))
        .group_by(t.c.userid)
        .having(sa.func.count() == len(wanted))
    )
    return set(session.scalars(stmt))


def record_violation(
    *, session: Session, userid: str, occurred_on: date, kind: str, recorded_by: str, now: datetime,
    description: str = "", severity: int = 1,
) -> int:
    violation = Violation(
        userid=userid, occurred_on=occurred_on, kind=kind, description=description, severity=severity,
        recorded_by=recorded_by, recorded_at=now,
    )
    session.add(violation)
    session.flush()
    return violation.id


def violations_between(start: date, end: date, *, session: Session) -> dict[str, list[Violation]]:
    """Violations with start <= occurred_on < end, by userid."""
    out: dict[str, list[Violation]] = {}
    stmt = sa.select(Violation).where(Violation.occurred_on >= start, Violation.occurred_on < end)
    for violation in session.scalars(stmt.order_by(Violation.occurred_on, Violation.id)):
        out.setdefault(violation.userid, []).append(violation)
    return out
