"""Departments and the WeCom directory sync: snapshots, and who joined, left or moved.

Built for a whole company at once (100k members): existing state is read in one query,
differences are computed in Python, and only the rows that changed are upserted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from wecomply.records.bulk import chunks, upsert
from wecomply.records.models import (
    ChangeKind,
    Department,
    DirectoryChange,
    DirectorySyncRun,
    Employee,
    EmployeeStatus,
    Role,
    Source,
    WeComAccountSnapshot,
)

WECOM_LEFT = 5  # user/get status: 1 active, 2 disabled, 4 not activated, 5 left the company


@dataclass(frozen=True)
class DepartmentRecord:
    id: int
    name: str
    parent_id: int | None = None
    head_userid: str | None = None
    account_owner_userid: str | None = None


@dataclass(frozen=True)
class MemberRecord:
    """One member as WeCom's contacts API reports it."""

    userid: str
    name: str
    status: int
    department_ids: tuple[int, ...] = ()
    main_department_id: int | None = None
    enabled: bool = True
    direct_leaders: tuple[str, ...] = ()
    position: str | None = None


@dataclass
class SyncResult:
    sync_run_id: int
    members: int
    joined: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    written: int = 0
    departments: int = 0

    def counts(self) -> dict[str, int]:
        """What the sync run row keeps, and what a run that reuses it reports."""
        return {
            "departments": self.departments,
            "members": self.members,
            "joined": len(self.joined),
            "left": len(self.left),
            "moved": len(self.moved),
            "written": self.written,
        }


def upsert_departments(
    departments: Sequence[DepartmentRecord], *, session: Session, now: datetime, source: str = Source.WECOM
) -> None:
    """Insert or update departments. Head and account owner are only overwritten when given."""
    rows = [
        {
            "id": d.id,
            "name": d.name,
            "parent_id": d.parent_id,
            "head_userid": d.head_userid,
            "account_owner_userid": d.account_owner_userid,
            "active": True,
            "source": str(source),
            "updated_at": now,
        }
        for d in departments
    ]
    with_people = [r for r in rows if r["head_userid"] is not None or r["account_owner_userid"] is not None]
    without = [r for r in rows if r["head_userid"] is None and r["account_owner_userid"] is None]
    upsert(session, Department.__table__, without, ("id",), ("name", "parent_id", "active", "updated_at"))
    upsert(
        session,
        Department.__table__,
        with_people,
        ("id",),
        ("name", "parent_id", "active", "head_userid", "account_owner_userid", "updated_at"),
    )


def sync_directory(
    departments: Sequence[DepartmentRecord],
    members: Sequence[MemberRecord],
    *,
    session: Session,
    now: datetime,
    run_id: str | None = None,
    complete: bool = True,
) -> SyncResult:
    """Record one directory sync and fold it into the employees.

    `complete=True` means `members` is everyone WeCom knows, so an account that vanished
    since the last sync counts as left. HR's fields (department, leader, role, dates) of
    people on the roster are never overwritten: the account review compares both views.
    """
    upsert_departments(departments, session=session, now=now)
    run = DirectorySyncRun(source=Source.WECOM.value, run_id=run_id, started_at=now)
    session.add(run)
    session.flush()

    e = Employee.__table__
    # Not the `wecom_*` columns themselves: they are written only here, together with the
    # digest over everything WeCom reported that they derive from, so an equal digest says
    # they are unchanged (decoding 100k JSON department lists was a quarter of loading this).
    existing = {
        r.userid: r
        for r in session.execute(
            sa.select(
                e.c.userid, e.c.name, e.c.in_roster, e.c.department_id, e.c.direct_leader_userid, e.c.position,
                e.c.status, e.c.wecom_status, e.c.wecom_main_department_id, e.c.wecom_digest,
            )
        )
    }
    result = SyncResult(sync_run_id=run.id, members=len(members), departments=len(departments))
    changes: list[dict[str, Any]] = []
    roster_rows: list[dict[str, Any]] = []
    wecom_rows: list[dict[str, Any]] = []
    snapshots: list[dict[str, Any]] = []
    seen: set[str] = set()

    def change(userid: str, kind: ChangeKind, before: int | None, after: int | None) -> None:
        changes.append(
            {
                "sync_run_id": run.id,
                "userid": userid,
                "kind": kind.value,
                "source": Source.WECOM.value,
                "from_department_id": before,
                "to_department_id": after,
                "effective_on": None,
                "detected_at": now,
            }
        )
        {ChangeKind.JOINED: result.joined, ChangeKind.LEFT: result.left, ChangeKind.MOVED: result.moved}[kind].append(userid)

    for m in members:
        seen.add(m.userid)
        main = _main_department(m)
        wecom = {
            "wecom_status": m.status,
            "wecom_enabled": m.enabled,
            "wecom_department_ids": list(m.department_ids),
            "wecom_main_department_id": main,
            "wecom_digest": account_digest(m),
        }
        old = existing.get(m.userid)
        if old is None or old.wecom_digest != wecom["wecom_digest"]:
            snapshots.append(_snapshot_row(m, main, run.id, now))
        if old is None:
            change(m.userid, ChangeKind.JOINED, None, main)
            wecom_rows.append(_wecom_only_row(m, main, wecom, now))
            continue
        if old.wecom_main_department_id is not None and main is not None and old.wecom_main_department_id != main:
            change(m.userid, ChangeKind.MOVED, old.wecom_main_department_id, main)
        if m.status == WECOM_LEFT and old.wecom_status not in (None, WECOM_LEFT):
            change(m.userid, ChangeKind.LEFT, main, main)
        same_wecom = old.wecom_digest == wecom["wecom_digest"]
        if old.in_roster:
            if not same_wecom:
                roster_rows.append({"userid": m.userid, **wecom, "wecom_updated_at": now})
            continue
        row = _wecom_only_row(m, main, wecom, now)
        if not same_wecom or any(
            getattr(old, k) != row[k] for k in ("name", "department_id", "direct_leader_userid", "position", "status")
        ):
            wecom_rows.append(row)

    if complete:
        for userid, old in existing.items():
            if userid not in seen and old.wecom_status not in (None, WECOM_LEFT):
                change(userid, ChangeKind.LEFT, old.wecom_main_department_id, None)
                vanished = {
                    "userid": userid,
                    "wecom_status": None,
                    "wecom_enabled": None,
                    "wecom_department_ids": None,
                    "wecom_main_department_id": None,
                    "wecom_digest": None,
                    "wecom_updated_at": now,
                }
                if old.in_roster:
                    roster_rows.append(vanished)
                else:
                    wecom_rows.append(
                        {**vanished, "name": old.name, "department_id": old.department_id,
                         "direct_leader_userid": old.direct_leader_userid, "position": old.position,
                         "status": EmployeeStatus.LEFT.value, "role": Role.EMPLOYEE.value,
                         "source": Source.WECOM.value, "in_roster": False, "created_at": now, "updated_at": now}
                    )

    wecom_columns = (
        "wecom_status", "wecom_enabled", "wecom_department_ids", "wecom_main_department_id", "wecom_digest",
        "wecom_updated_at",
    )
    # Roster people only ever exist already, so this upsert is in effect a bulk update.
    _update_existing(session, roster_rows, wecom_columns)
    upsert(
        session,
        e,
        wecom_rows,
        ("userid",),
        (*wecom_columns, "name", "department_id", "direct_leader_userid", "position", "status", "updated_at"),
    )
    if snapshots:
        session.execute(sa.insert(WeComAccountSnapshot.__table__), snapshots)
    if changes:
        session.execute(sa.insert(DirectoryChange.__table__), changes)
    result.written = len(roster_rows) + len(wecom_rows)
    run.finished_at = now
    run.counts = result.counts()
    session.flush()
    return result


@dataclass(frozen=True)
class FinishedSync:
    sync_run_id: int
    counts: dict[str, Any]


def finished_wecom_sync(at: datetime, *, session: Session) -> FinishedSync | None:
    """The WeCom sync already folded into the records for the run instant `at`, if any.

    A sync run row is dated with its Airflow run's logical time, and `finished_at` is
    written in the fold's own transaction: a finished row means every change it found is in
    the records.
    """
    r = DirectorySyncRun.__table__
    row = session.execute(
        sa.select(r.c.id, r.c.counts)
        .where(r.c.source == Source.WECOM.value, r.c.started_at == at, r.c.finished_at.is_not(None))
        .order_by(r.c.id.desc())
        .limit(1)
    ).first()
    return FinishedSync(row.id, dict(row.counts or {})) if row is not None else None


def account_digest(m: MemberRecord) -> str:
    """What a sync compares to know an account is unchanged: every field WeCom reported."""
    state = (m.name, m.status, m.enabled, m.department_ids, m.main_department_id, m.direct_leaders, m.position)
    return hashlib.blake2b(repr(state).encode(), digest_size=16).hexdigest()


def _snapshot_row(m: MemberRecord, main: int | None, sync_run_id: int, now: datetime) -> dict[str, Any]:
    return {
        "sync_run_id": sync_run_id,
        "userid": m.userid,
        "name": m.name,
        "status": m.status,
        "enabled": m.enabled,
        "department_ids": list(m.department_ids),
        "main_department_id": main,
        "direct_leader_userids": list(m.direct_leaders),
        "taken_at": now,
    }


def _main_department(m: MemberRecord) -> int | None:
    if m.main_department_id is not None:
        return m.main_department_id
    return m.department_ids[0] if m.department_ids else None


def _wecom_only_row(m: MemberRecord, main: int | None, wecom: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {
        "userid": m.userid,
        "name": m.name,
        "department_id": main,
        "direct_leader_userid": m.direct_leaders[0] if m.direct_leaders else None,
        "position": m.position,
        "role": Role.EMPLOYEE.value,
        "status": EmployeeStatus.LEFT.value if m.status == WECOM_LEFT else EmployeeStatus.ACTIVE.value,
        "source": Source.WECOM.value,
        "in_roster": False,
        **wecom,
        "wecom_updated_at": now,
        "created_at": now,
        "updated_at": now,
    }


def _update_existing(session: Session, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    if not rows:
        return
    e = Employee.__table__
    stmt = sa.update(e).where(e.c.userid == sa.bindparam("b_userid")).values(
        {c: sa.bindparam(f"b_{c}") for c in columns}
    )
    for chunk in chunks(rows):
        session.connection().execute(stmt, [{f"b_{k}": v for k, v in r.items()} for r in chunk])


def active_employees(*, session: Session) -> list[Employee]:
    """Employees whose status is active (HR's view)."""
    return list(
        session.scalars(sa.select(Employee).where(Employee.status == EmployeeStatus.ACTIVE.value).order_by(Employee.userid))
    )
