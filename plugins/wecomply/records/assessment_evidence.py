"""Bulk reads behind the monthly assessment: one query per table, never one per person.

A 100k-person month is a few hundred thousand assignment rows; reading them per person
would be 100k round trips, so every function here reads a whole month (or a whole set of
people) at once and leaves the grouping to the caller.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from wecomply.duties.model import Assignment, Duty
from wecomply.records.models import (
    Assessment,
    Assignment as AssignmentRow,
    AssignmentStatus,
    Delivery,
    DeliveryStatus,
    Employee,
    EmployeeStatus,
    Violation,
)

_DUTIES = {d.value: d for d in Duty}
REMINDER_STEP_PREFIX = "remind"


def assignments_due_between(start: datetime, end: datetime, *, session: Session) -> list[Assignment]:
    """Every assignment (any duty, not cancelled) due in [start, end), with `reminders_sent`
    = the remind-* deliveries WeCom accepted for it. Two queries in all.

    The reminders are read as a range of the deliveries' created_at index and
    matched here, not joined in SQL: a join on (duty, subject, period) let PostgreSQL, with
    statistics not yet refreshed after a bulk load, pick a nested loop over every
    assignment of a quarter-wide period for each delivery.
    """
    rows = session.execute(assignments_due_statement(start, end)).all()
    rows = [r for r in rows if r.kind in _DUTIES]
    reminder_count: dict[tuple[str, str, str], int] = {}
    if rows:
        # A reminder is only ever created after its assignment.
        earliest = min(r.assigned_at for r in rows)
        reminders = session.execute(reminder_counts_statement(earliest))
        reminder_count = {(r[0], r[1], r[2]): r[3] for r in reminders}
    return [
        Assignment(
            kind=_DUTIES[r.kind],
            subject=r.subject_userid,
            period=r.period,
            assigned_at=r.assigned_at,
            due_at=r.due_at,
            completed_at=r.completed_at,
            reminders_sent=reminder_count.get((r.kind, r.subject_userid, r.period), 0),
        )
        for r in rows
    ]


def assignments_due_statement(start: datetime, end: datetime) -> sa.Select:
    a = AssignmentRow.__table__
    return sa.select(
        a.c.kind, a.c.subject_userid, a.c.period, a.c.assigned_at, a.c.due_at, a.c.completed_at
    ).where(a.c.due_at >= start, a.c.due_at < end, a.c.status != AssignmentStatus.CANCELLED.value)


def reminder_counts_statement(earliest: datetime | sa.ScalarSelect[Any]) -> sa.Select:
    """Reminders WeCom accepted since `earliest`, counted per (duty, subject, period)."""
    d = Delivery.__table__
    return (
        sa.select(d.c.duty, d.c.subject, d.c.period, sa.func.count())
        .where(
            d.c.status == DeliveryStatus.SENT.value,
            d.c.created_at >= earliest,
            d.c.step.like(f"{REMINDER_STEP_PREFIX}%"),
        )
        .group_by(d.c.duty, d.c.subject, d.c.period)
    )


def earliest_assigned(start: datetime, end: datetime) -> sa.ScalarSelect[Any]:
    """When the first assignment due in [start, end) was made (any kind: no later than
    what `assignments_due_between` takes as its earliest)."""
    due = assignments_due_statement(start, end).subquery()
    return sa.select(sa.func.min(due.c.assigned_at)).scalar_subquery()


def violation_counts_statement(start: date, end: date) -> sa.Select:
    v = Violation.__table__
    return (
        sa.select(v.c.userid, sa.func.count())
        .where(v.c.occurred_on >= start, v.c.occurred_on < end)
        .group_by(v.c.userid)
    )


def violation_counts(start: date, end: date, *, session: Session) -> dict[str, int]:
    """Violations recorded with start <= occurred_on < end, counted per userid."""
    return {row[0]: row[1] for row in session.execute(violation_counts_statement(start, end))}


def results_tally_statement(period: str) -> sa.Select:
    """One row summing up a month's stored results: how many, their total, how many
    passed, when one last changed. A result deleted, added or re-scored by hand changes it;
    digesting every result instead cost a re-run as much as reading the roster."""
    t = Assessment.__table__
    return sa.select(
        sa.func.count(), sa.func.sum(t.c.total), sa.func.sum(sa.case((t.c.passed.is_(True), 1), else_=0)),
        sa.func.max(t.c.computed_at),
    ).where(t.c.period == period)


@dataclass(frozen=True, slots=True)
class PastResult:
    """The fields of a stored result that `duties.assessment.consecutive_fails` reads."""

    userid: str
    period: str
    passed: bool


def fail_histories(period: str, *, session: Session) -> list[PastResult]:
    """Every result up to `period` of the people who failed `period` (one query)."""
    t = Assessment.__table__
    failing = sa.select(t.c.userid).where(t.c.period == period, t.c.passed.is_(False))
    stmt = sa.select(t.c.userid, t.c.period, t.c.passed).where(t.c.period <= period, t.c.userid.in_(failing))
    return [PastResult(r.userid, r.period, bool(r.passed)) for r in session.execute(stmt)]


@dataclass(frozen=True, slots=True)
class StoredResult:
    userid: str
    period: str
    scores: dict[str, Any]
    total: float
    passed: bool
    details: dict[str, Any]


def _employed_on(e: sa.Table, on: date) -> sa.ColumnElement[bool]:
    """The roster people employed on `on`: `Person.is_active` as SQL (see flows.people)."""
    return sa.and_(
        e.c.in_roster.is_(True),
        e.c.hire_date <= on,
        e.c.status == EmployeeStatus.ACTIVE.value,
        sa.or_(e.c.leave_date.is_(None), e.c.leave_date >= on),
    )


def stored_results(period: str, *, employed_on: date, session: Session) -> Iterator[StoredResult]:
    """A month's stored results of the people employed on `employed_on`, ordered by
    userid (one query, no ORM objects: a leaver's result is not sent)."""
    t, e = Assessment.__table__, Employee.__table__
    stmt = (
        sa.select(t.c.userid, t.c.scores, t.c.total, t.c.passed, t.c.details)
        .select_from(t.join(e, e.c.userid == t.c.userid))
        .where(t.c.period == period, _employed_on(e, employed_on))
    )
    for r in session.execute(stmt.order_by(t.c.userid)):
        yield StoredResult(r.userid, period, dict(r.scores or {}), float(r.total), bool(r.passed), dict(r.details or {}))


def _result_coverage(period: str, step: str, *, duty: str, on: date, session: Session) -> tuple[int, int]:
    """(people employed on `on` with a result for `period`, how many of them no delivery
    row of `step` covers yet).

    Two plain reads compared here, not one NOT EXISTS query: on freshly loaded PostgreSQL
    tables (no statistics gathered yet) the anti-join was planned as a nested loop over
    every pair, 14-15 s of server CPU at 10k people.
    """
    t, d, e = Assessment.__table__, Delivery.__table__, Employee.__table__
    delivered = set(session.scalars(
        sa.select(d.c.subject).where(d.c.duty == duty, d.c.period == period, d.c.step == step)
    ))
    employed = list(session.scalars(
        sa.select(t.c.userid).select_from(t.join(e, e.c.userid == t.c.userid)).where(t.c.period == period, _employed_on(e, on))
    ))
    return len(employed), sum(1 for userid in employed if userid not in delivered)


def results_awaiting_delivery(period: str, step: str, *, duty: str, on: date, session: Session) -> int:
    """Stored results of `period` for people employed on `on` that no delivery row covers
    yet (held outside working hours, or never planned)."""
    return _result_coverage(period, step, duty=duty, on=on, session=session)[1]


@dataclass(frozen=True)
class SettledResults:
    """Every employed person's result has a delivery row, none still queued."""

    employed: int
    by_status: dict[DeliveryStatus, int]


def settled_result_deliveries(period: str, step: str, *, duty: str, on: date, session: Session) -> SettledResults | None:
    """`SettledResults` when there is nothing left to send for `period`'s results, else
    None; a re-run of a sent month then need not plan 100k deliveries to find none owed.

    The statuses are counted over the step's rows, without joining the results (a join
    the planner can get wrong on fresh tables, see `_result_coverage`), so they may
    include someone who left after their result was sent.
    """
    employed, uncovered = _result_coverage(period, step, duty=duty, on=on, session=session)
    if uncovered:
        return None
    d = Delivery.__table__
    by_status = (
        sa.select(d.c.status, sa.func.count())
        .where(d.c.duty == duty, d.c.period == period, d.c.step == step)
        .group_by(d.c.status)
    )
    counts = {DeliveryStatus(status): int(n) for status, n in session.execute(by_status)}
    if counts.get(DeliveryStatus.QUEUED):
        return None
    return SettledResults(employed, counts)
