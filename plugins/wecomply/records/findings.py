"""Account review findings, account requests, and the account state the review reads.

A finding is open while a review keeps finding it: at most one open row per (kind,
subject) (a partial unique index enforces it). `opened_at` is the moment the finding
first applied (the duty decision's `detected_at`, e.g. the morning after a leaver's last
day), and it is fed back to the next review as `first_seen`, so the fix deadline never
moves. A finding a review no longer reports is resolved, with the reason, in one bulk
update; nothing here is one round trip per person.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import Session

from wecomply.errors import UserFacingError
from wecomply.records.bulk import chunks
from wecomply.records.models import (
    Acknowledgement,
    AccountFinding,
    AccountRequest,
    Assignment,
    Delivery,
    Department,
    Employee,
)

# Resolutions are read by auditors: Chinese first, English after.
RESOLVED_CLEARED = "复查时已不再存在 / no longer found by the review"
RESOLVED_SUPERSEDED = "被新的一期取代 / superseded by a newer period"
RESOLVED_ATTESTED = "员工已点击确认 / confirmed by the employee on the card"
RESOLVED_AUTO_DISABLED = "已按制度自动停用企业微信账号 (user/update enable=0) / WeCom account disabled automatically"

REQUEST_ID_PREFIX = "req-"
WECOM_DISABLED = 2


@dataclass(frozen=True)
class FindingSpec:
    """One finding as a review reports it."""

    kind: str
    subject: str
    period: str
    detail: str
    detected_at: datetime  # first applied; becomes `opened_at`
    due_at: datetime | None
    department_id: int | None = None


@dataclass(frozen=True)
class OpenFinding:
    id: int
    kind: str
    subject: str
    period: str
    opened_at: datetime
    due_at: datetime | None


@dataclass
class FindingsSync:
    opened: int = 0
    kept: int = 0
    resolved: int = 0
    superseded: int = 0
    resolved_ids: list[int] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        return {
            "findings_opened": self.opened,
            "findings_open": self.opened + self.kept,
            "findings_resolved": self.resolved,
            "findings_superseded": self.superseded,
        }


def open_findings(*, session: Session) -> dict[tuple[str, str], OpenFinding]:
    t = AccountFinding.__table__
    rows = session.execute(
        sa.select(t.c.id, t.c.kind, t.c.subject, t.c.details, t.c.opened_at, t.c.due_at).where(t.c.resolved_at.is_(None))
    )
    return {
        (r.kind, r.subject): OpenFinding(r.id, r.kind, r.subject, str((r.details or {}).get("period", "")), r.opened_at, r.due_at)
        for r in rows
    }


def first_seen(findings: Iterable[OpenFinding]) -> dict[tuple[str, str, str], datetime]:
    """The `first_seen` mapping a review takes: (kind, subject, period) → opened_at."""
    return {(f.kind, f.subject, f.period): f.opened_at for f in findings}


def record_findings(
    specs: Sequence[FindingSpec],
    *,
    session: Session,
    now: datetime,
    resolution_for: Callable[[OpenFinding], str] | None = None,
) -> FindingsSync:
    """Open new findings, keep persisting ones untouched, resolve the ones gone.

    The same finding for a new period (a later password cycle, a corrected leave date)
    resolves the old row as superseded and opens a new one.
    """
    existing = open_findings(session=session)
    current = {(s.kind, s.subject): s for s in specs}
    result = FindingsSync()
    to_resolve: dict[str, list[int]] = {}
    new: list[FindingSpec] = []
    for key, spec in current.items():
        row = existing.get(key)
        if row is None:
            new.append(spec)
        elif row.period != spec.period:
            to_resolve.setdefault(RESOLVED_SUPERSEDED, []).append(row.id)
            result.superseded += 1
            new.append(spec)
        else:
            result.kept += 1
    for key, row in existing.items():
        if key not in current:
            reason = resolution_for(row) if resolution_for else RESOLVED_CLEARED
            to_resolve.setdefault(reason, []).append(row.id)
            result.resolved += 1
            result.resolved_ids.append(row.id)
    t = AccountFinding.__table__
    # Resolve first: a superseded row must close before its successor may open.
    for reason, ids in to_resolve.items():
        for chunk in chunks(ids):
            session.execute(
                sa.update(t).where(t.c.id.in_(list(chunk)), t.c.resolved_at.is_(None)).values(resolved_at=now, resolution=reason)
            )
    if new:
        rows = [
            {
                "kind": s.kind,
                "subject": s.subject,
                "department_id": s.department_id,
                "details": {"period": s.period, "detail": s.detail, "first_recorded_at": now.isoformat()},
                "opened_at": s.detected_at,
                "due_at": s.due_at,
                "resolved_at": None,
                "resolution": None,
            }
            for s in new
        ]
        for chunk in chunks(rows):
            session.execute(sa.insert(t), list(chunk))
    result.opened = len(new)
    return result


def resolve_finding(kind: str, subject: str, *, session: Session, at: datetime, resolution: str) -> bool:
    """Resolve the open finding of (kind, subject); False if none was open."""
    t = AccountFinding.__table__
    done = session.execute(
        sa.update(t)
        .where(t.c.kind == kind, t.c.subject == subject, t.c.resolved_at.is_(None))
        .values(resolved_at=at, resolution=resolution[:255])
    )
    return (done.rowcount or 0) > 0


@dataclass(frozen=True)
class ResolvedFinding:
    subject: str
    period: str
    resolved_at: datetime


def resolved_since(kind: str, resolution: str, since: datetime, *, session: Session) -> list[ResolvedFinding]:
    """Findings of `kind` resolved with `resolution` at or after `since`."""
    t = AccountFinding.__table__
    rows = session.execute(
        sa.select(t.c.subject, t.c.details, t.c.resolved_at)
        .where(t.c.kind == kind, t.c.resolution == resolution, t.c.resolved_at >= since)
        .order_by(t.c.resolved_at, t.c.id)
    )
    return [ResolvedFinding(r.subject, str((r.details or {}).get("period", "")), r.resolved_at) for r in rows]


def list_findings(*, session: Session, open_only: bool = False) -> list[AccountFinding]:
    stmt = sa.select(AccountFinding).order_by(AccountFinding.opened_at, AccountFinding.id)
    if open_only:
        stmt = stmt.where(AccountFinding.resolved_at.is_(None))
    return list(session.scalars(stmt))


# --- what the review reads -------------------------------------------------------------


@dataclass(frozen=True)
class MemberRow:
    userid: str
    name: str
    department_ids: tuple[int, ...] | None  # None: the sync has not reported departments
    status: int
    roster_department_id: int | None


def wecom_members(*, session: Session) -> list[MemberRow]:
    """Everyone the latest directory sync saw in WeCom (status from the employees table)."""
    e = Employee.__table__
    rows = session.execute(
        sa.select(
            e.c.userid, e.c.name, e.c.wecom_status, e.c.wecom_enabled, e.c.wecom_department_ids, e.c.department_id
        ).where(e.c.wecom_status.is_not(None))
    )
    out = []
    for r in rows:
        status = WECOM_DISABLED if r.wecom_enabled is False else int(r.wecom_status)
        departments = tuple(int(d) for d in r.wecom_department_ids) if r.wecom_department_ids is not None else None
        out.append(MemberRow(r.userid, r.name, departments, status, r.department_id))
    return out


def department_accounts(*, session: Session) -> list[tuple[int, str, str | None]]:
    """(department id, name, account owner) of every active department (一部门一账号)."""
    d = Department.__table__
    return [
        (r.id, r.name, r.account_owner_userid)
        for r in session.execute(sa.select(d.c.id, d.c.name, d.c.account_owner_userid).where(d.c.active.is_(True)))
    ]


def record_starts(*, session: Session) -> dict[str, datetime]:
    """userid → when the records first knew the person (roster import or first sync)."""
    e = Employee.__table__
    return dict(session.execute(sa.select(e.c.userid, e.c.created_at).where(e.c.in_roster.is_(True))).all())


def last_attestations(kind: str, *, session: Session) -> dict[str, datetime]:
    """userid → the latest completed assignment of `kind` (the password attestation)."""
    a = Assignment.__table__
    rows = session.execute(
        sa.select(a.c.subject_userid, sa.func.max(a.c.completed_at))
        .where(a.c.kind == kind, a.c.completed_at.is_not(None))
        .group_by(a.c.subject_userid)
    )
    # max() over a TypeDecorator column loses the type on some backends; re-read as aware UTC.
    return {userid: _aware(value) for userid, value in rows if value is not None}


def mark_account_disabled(userid: str, *, session: Session, at: datetime) -> None:
    """Record that WeCom now has this account disabled (until the next sync confirms it)."""
    e = Employee.__table__
    session.execute(
        sa.update(e).where(e.c.userid == userid).values(wecom_status=WECOM_DISABLED, wecom_enabled=False, wecom_updated_at=at)
    )


# --- account requests (v2 §3.1: IT reviews within 3 working days) -------------------------


def request_key(row_id: int, external_id: str | None) -> str:
    """The id a request goes by in findings and messages: its external id, else req-<n>."""
    return external_id or f"{REQUEST_ID_PREFIX}{row_id}"


def register_request(
    *,
    session: Session,
    requester_userid: str,
    subject_name: str,
    requested_at: datetime,
    department_id: int | None = None,
    reason: str = "",
    external_id: str | None = None,
) -> str:
    """Register an account request; returns its key. A known external id is refused."""
    if external_id:
        if external_id.startswith(REQUEST_ID_PREFIX):
            raise UserFacingError(
                f"account request id {external_id!r}: ids starting with {REQUEST_ID_PREFIX!r} are generated; choose another"
            )
        exists = session.scalar(sa.select(AccountRequest.id).where(AccountRequest.external_id == external_id))
        if exists is not None:
            raise UserFacingError(f"account request {external_id!r} already exists; use another id or review it")
    row = AccountRequest(
        external_id=external_id,
        requester_userid=requester_userid,
        subject_name=subject_name,
        department_id=department_id,
        reason=reason,
        requested_at=requested_at,
    )
    session.add(row)
    session.flush()
    return request_key(row.id, row.external_id)


def _request_by_key(session: Session, key: str) -> AccountRequest | None:
    if key.startswith(REQUEST_ID_PREFIX) and key[len(REQUEST_ID_PREFIX):].isdigit():
        return session.get(AccountRequest, int(key[len(REQUEST_ID_PREFIX):]))
    return session.scalar(sa.select(AccountRequest).where(AccountRequest.external_id == key))


def review_request(key: str, *, session: Session, reviewer_userid: str, at: datetime, outcome: str) -> bool:
    """Record IT's review; False if it was already reviewed. Unknown keys are refused."""
    row = _request_by_key(session, key)
    if row is None:
        raise UserFacingError(f"account request {key!r} not found; list them with `python -m wecomply accounts list`")
    if row.reviewed_at is not None:
        return False
    row.reviewed_at, row.reviewer_userid, row.outcome = at, reviewer_userid, outcome
    session.flush()
    return True


def open_requests(*, session: Session) -> list[AccountRequest]:
    return list(
        session.scalars(sa.select(AccountRequest).where(AccountRequest.reviewed_at.is_(None)).order_by(AccountRequest.id))
    )


def all_requests(*, session: Session) -> list[AccountRequest]:
    return list(session.scalars(sa.select(AccountRequest).order_by(AccountRequest.id)))


def requests_reviewed_by_click(duty: str, *, session: Session) -> int:
    """Mark requests reviewed whose reminder card an IT member clicked (`已审核`).

    The click was stored by the inbox against the delivery that carried the card; the
    delivery's subject is the request key.
    """
    ack, d = Acknowledgement.__table__, Delivery.__table__
    clicks = session.execute(
        sa.select(d.c.subject, ack.c.userid, sa.func.min(ack.c.clicked_at).label("at"))
        .join(d, d.c.id == ack.c.delivery_id)
        .where(d.c.duty == duty)
        .group_by(d.c.subject, ack.c.userid)
    ).all()
    first: dict[str, tuple[str, datetime]] = {}
    for subject, userid, at in clicks:
        if at is not None and (subject not in first or _aware(at) < first[subject][1]):
            first[subject] = (userid, _aware(at))
    marked = 0
    for key, (userid, at) in sorted(first.items()):
        row = _request_by_key(session, key)
        if row is not None and row.reviewed_at is None:
            row.reviewed_at, row.reviewer_userid, row.outcome = at, userid, "reviewed_on_card"
            marked += 1
    session.flush()
    return marked


def _aware(value: datetime | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)

