"""Notices that must be acknowledged (v1 §3.2, §7.1): the notice and its resolved audience.

The audience is resolved once, when the notice is published. The `notices` row keeps what
the publisher chose and who it resolved to (`audience["resolved"]`); each recipient also
gets an assignment (kind "notice", subject = userid, period = the notice key), which the
card click completes. Repository functions take `*, session` and never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from wecomply.duties.model import Duty
from wecomply.records.assignments import AssignmentSpec, ensure_assignments
from wecomply.records.bulk import insert_ignore
from wecomply.records.models import Assignment, AssignmentStatus, Notice

REF_TYPE = "notice"


def get_notice(key: str, *, session: Session) -> Notice | None:
    return session.scalar(sa.select(Notice).where(Notice.key == key))


def create_notice(
    *,
    session: Session,
    key: str,
    title: str,
    body: str,
    audience: dict[str, Any],
    recipients: Sequence[str],
    department_of: dict[str, int | None],
    urgent: bool,
    deadline_at: datetime,
    created_by: str | None,
    now: datetime,
) -> bool:
    """Record the notice and one assignment per recipient, once per key; False if it existed."""
    created = insert_ignore(
        session,
        Notice.__table__,
        [{
            "key": key, "title": title, "body": body,
            "audience": {**audience, "resolved": sorted(recipients)},
            "urgent": urgent, "deadline_at": deadline_at, "created_by": created_by, "created_at": now,
        }],
        conflict=("key",),
    )
    if not created:
        return False
    ensure_assignments(
        [
            AssignmentSpec(kind=str(Duty.NOTICE), subject_userid=userid, period=key, due_at=deadline_at,
                           department_id=department_of.get(userid), ref_type=REF_TYPE, ref_id=key)
            for userid in sorted(set(recipients))
        ],
        session=session, now=now,
    )
    return True


def open_notices(*, session: Session) -> list[Notice]:
    """Notices someone still has to acknowledge."""
    waiting = (
        sa.select(Assignment.id)
        .where(Assignment.kind == str(Duty.NOTICE), Assignment.period == Notice.key,
               Assignment.status == AssignmentStatus.OPEN.value)
        .exists()
    )
    return list(session.scalars(sa.select(Notice).where(waiting).order_by(Notice.id)))


def recipients_of(key: str, *, session: Session) -> tuple[list[str], dict[str, datetime]]:
    """(everyone the notice went to, those who acknowledged → when)."""
    rows = session.execute(
        sa.select(Assignment.subject_userid, Assignment.completed_at)
        .where(Assignment.kind == str(Duty.NOTICE), Assignment.period == key)
        .order_by(Assignment.subject_userid)
    ).all()
    return [r.subject_userid for r in rows], {r.subject_userid: r.completed_at for r in rows if r.completed_at}
