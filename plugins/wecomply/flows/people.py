"""Records rows → the plain values the duty decisions take."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from wecomply.duties.model import Assignment, Duty, Person
from wecomply.policy.config import Policy
from wecomply.records import models
from wecomply.records.assignments import AssignmentSpec, ensure_assignments
from wecomply.records.bulk import chunks


def roster_statement() -> sa.Select:
    """The roster columns `load_people` reads (also what the assessment's stamp digests)."""
    e = models.Employee
    return sa.select(
        e.userid, e.name, e.department_id, e.direct_leader_userid, e.role, e.hire_date, e.leave_date, e.status,
        e.transfer_date,
    ).where(e.in_roster.is_(True), e.hire_date.is_not(None))


def load_people(session: Session, *, among: Collection[str] | None = None) -> list[Person]:
    """Everyone HR's roster knows (people only WeCom knows are the account review's business),
    or only those of them in `among`."""
    heads = dict(session.execute(sa.select(models.Department.id, models.Department.head_userid)).all())
    stmt = roster_statement()
    if among is not None:
        stmt = stmt.where(models.Employee.userid.in_(sa.bindparam("among", expanding=True)))
    rows = session.execute(stmt, {"among": list(among)} if among is not None else {})
    return [
        Person(
            userid=r.userid,
            name=r.name,
            department_id=r.department_id or 0,
            direct_leader=r.direct_leader_userid,
            department_head=heads.get(r.department_id),
            role=r.role,
            hire_date=r.hire_date,
            leave_date=r.leave_date,
            status="left" if r.status == models.EmployeeStatus.LEFT else "active",
            transfer_date=r.transfer_date,
        )
        for r in rows
    ]


def load_assignments(session: Session, duty: Duty, *, period: str | None = None) -> list[Assignment]:
    stmt = sa.select(models.Assignment).where(models.Assignment.kind == str(duty))
    if period is not None:
        stmt = stmt.where(models.Assignment.period == period)
    return [
        Assignment(
            kind=duty,
            subject=row.subject_userid,
            period=row.period,
            assigned_at=row.assigned_at,
            due_at=row.due_at,
            completed_at=row.completed_at,
        )
        for row in session.scalars(stmt)
    ]


def record_assignments(
    session: Session, assignments: Iterable[Assignment], people: Iterable[Person], *, now
) -> int:
    """Record new assignments; existing ones keep their deadline (re-runs never move it)."""
    department = {p.userid: p.department_id for p in people}
    specs = [
        AssignmentSpec(
            kind=str(a.kind), subject_userid=a.subject, period=a.period, due_at=a.due_at,
            department_id=department.get(a.subject),
        )
        for a in assignments
    ]
    return ensure_assignments(specs, session=session, now=now) if specs else 0


def _is_active(e: sa.Table, today: date) -> Any:
    return sa.and_(
        e.c.status == models.EmployeeStatus.ACTIVE.value,
        sa.or_(e.c.leave_date.is_(None), e.c.leave_date >= today),
    )


def active_userids(session: Session, userids: Iterable[str], today: date) -> set[str]:
    e = models.Employee.__table__
    found: set[str] = set()
    for chunk in chunks(sorted(set(userids)), 2000):
        found.update(session.scalars(sa.select(e.c.userid).where(e.c.userid.in_(chunk), _is_active(e, today))))
    return found


def function_members(session: Session, policy: Policy, roles: Sequence[str], today: date) -> tuple[str, ...]:
    """Members of the policy's functions (e.g. leadership, HR): the explicit userids (unless
    the roster says they left) and active people holding one of the roster roles."""
    e = models.Employee.__table__
    explicit = [u for role in roles for u in getattr(policy.roles, role).userids]
    roster_roles = sorted({r for role in roles for r in getattr(policy.roles, role).roster_roles})
    by_role = list(session.scalars(
        sa.select(e.c.userid).where(e.c.role.in_(roster_roles), _is_active(e, today)).order_by(e.c.userid)
    )) if roster_roles else []
    known = set(session.scalars(sa.select(e.c.userid).where(e.c.userid.in_(explicit)))) if explicit else set()
    active = active_userids(session, explicit, today)
    kept = [u for u in explicit if u not in known or u in active]
    return tuple(dict.fromkeys([*kept, *by_role]))
