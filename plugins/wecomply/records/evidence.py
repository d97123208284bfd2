"""The auditors' export: every delivery, acknowledgement and escalation of a month.

Months are Asia/Shanghai calendar months. The CSV is UTF-8 with a BOM so that Excel in
China opens it with the right encoding. Message bodies, response codes and tokens are
not exported: the msgid identifies a message, and the records hold the rest.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from wecomply.atomic_files import replacing
from wecomply.errors import UserFacingError
from wecomply.records.models import Acknowledgement, Assignment, Delivery, DeliveryBatch, Escalation

SHANGHAI = ZoneInfo("Asia/Shanghai")
COLUMNS = [
    "record_type",
    "time_shanghai",
    "duty",
    "subject",
    "period",
    "step",
    "userids",
    "status",
    "msgid",
    "invalid_users",
    "attempts",
    "task_id",
    "event_key",
    "assignment_id",
    "assignment_kind",
    "escalation_level",
    "reason",
]
_MONTH = re.compile(r"(\d{4})-(\d{2})")


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """[start, end) of a YYYY-MM month in Asia/Shanghai, as UTC instants."""
    match = _MONTH.fullmatch(month or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise UserFacingError(f"--month {month!r} 格式应为 YYYY-MM（如 2025-03）/ --month must be YYYY-MM, e.g. 2025-03")
    year, mon = int(match.group(1)), int(match.group(2))
    start = datetime(year, mon, 1, tzinfo=SHANGHAI)
    end = datetime(year + (mon == 12), mon % 12 + 1, 1, tzinfo=SHANGHAI)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def _local(value: datetime | None) -> str:
    return value.astimezone(SHANGHAI).isoformat(timespec="seconds") if value else ""


def _ids(values: Any) -> str:
    return "|".join(values or [])


def evidence_rows(month: str, *, session: Session) -> Iterator[list[str]]:
    start, end = month_bounds(month)
    d, b = Delivery.__table__, DeliveryBatch.__table__
    at = sa.func.coalesce(d.c.sent_at, d.c.created_at)
    deliveries = session.execute(
        sa.select(d, b.c.task_id)
        .select_from(d.outerjoin(b, d.c.batch_id == b.c.id))
        .where(at >= start, at < end)
        .order_by(at, d.c.id)
    )
    for r in deliveries:
        yield [
            "delivery", _local(r.sent_at or r.created_at), r.duty, r.subject, r.period, r.step,
            _ids(r.recipients), r.status, r.msgid or "", _ids(r.invalid_users), str(r.attempts),
            r.task_id or "", "", str(r.assignment_id or ""), "", "", "",
        ]
    a, asg = Acknowledgement.__table__, Assignment.__table__
    acks = session.execute(
        sa.select(a, asg.c.kind, asg.c.period)
        .select_from(a.outerjoin(asg, a.c.assignment_id == asg.c.id))
        .where(a.c.received_at >= start, a.c.received_at < end)
        .order_by(a.c.received_at, a.c.id)
    )
    for r in acks:
        yield [
            "acknowledgement", _local(r.clicked_at or r.received_at), r.kind or "", r.userid, r.period or "", "",
            r.userid, "acknowledged", "", "", "", r.task_id, r.event_key, str(r.assignment_id or ""),
            r.kind or "", "", "",
        ]
    e = Escalation.__table__
    for r in session.execute(
        sa.select(e).where(e.c.escalated_at >= start, e.c.escalated_at < end).order_by(e.c.escalated_at, e.c.id)
    ):
        yield [
            "escalation", _local(r.escalated_at), r.duty, r.subject, r.about, "",
            _ids(r.escalated_to), "escalated", "", "", "", "", "", str(r.assignment_id or ""), "",
            str(r.level), r.reason,
        ]


def export_evidence(month: str, out: Path | str, *, session: Session) -> int:
    """Write the month's evidence CSV to `out`; returns the number of records. An export
    that fails half-way leaves `out` as it was, never a partial CSV."""
    rows = 0
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for row in evidence_rows(month, session=session):
            writer.writerow(row)
            rows += 1
    return rows
