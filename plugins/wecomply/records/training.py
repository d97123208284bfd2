"""Training completion snapshots: how far a training period has got, per department.

The quarterly training DAG writes one snapshot per department per day; the monthly report
reads the latest one on or before a day (the month's last day) and the trend over months.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from wecomply.records.bulk import upsert
from wecomply.records.models import TrainingCompletion


@dataclass(frozen=True, slots=True)
class CompletionSnapshot:
    kind: str  # a Duty value
    period: str  # "2026Q1"
    department_id: int  # 0 when unknown
    as_of: date
    assigned: int
    completed: int
    completed_on_time: int

    @property
    def rate(self) -> float | None:
        """Completed share in percent (0–100), None when nothing was assigned."""
        return round(100.0 * self.completed / self.assigned, 1) if self.assigned else None


def record_completion(snapshots: Sequence[CompletionSnapshot], *, session: Session, now: datetime) -> int:
    """Write (or overwrite, for a re-run of the same day) the day's snapshots; returns how many."""
    upsert(
        session,
        TrainingCompletion.__table__,
        [
            {
                "kind": s.kind,
                "period": s.period,
                "department_id": s.department_id,
                "as_of": s.as_of,
                "assigned": s.assigned,
                "completed": s.completed,
                "completed_on_time": s.completed_on_time,
                "recorded_at": now,
            }
            for s in snapshots
        ],
        conflict=("kind", "period", "department_id", "as_of"),
        update=("assigned", "completed", "completed_on_time", "recorded_at"),
    )
    return len(snapshots)


def latest_completion(
    kind: str, period: str, *, on_or_before: date, session: Session
) -> dict[int, CompletionSnapshot]:
    """Per department, the latest snapshot of `period` taken on or before `on_or_before`."""
    t = TrainingCompletion.__table__
    latest = (
        sa.select(t.c.department_id, sa.func.max(t.c.as_of).label("as_of"))
        .where(t.c.kind == kind, t.c.period == period, t.c.as_of <= on_or_before)
        .group_by(t.c.department_id)
        .subquery()
    )
    stmt = sa.select(t).join(
        latest, sa.and_(t.c.department_id == latest.c.department_id, t.c.as_of == latest.c.as_of)
    ).where(t.c.kind == kind, t.c.period == period)
    return {
        row.department_id: CompletionSnapshot(
            kind=row.kind, period=row.period, department_id=row.department_id, as_of=row.as_of,
            assigned=row.assigned, completed=row.completed, completed_on_time=row.completed_on_time,
        )
        for row in session.execute(stmt)
    }
