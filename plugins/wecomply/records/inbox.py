"""The callback inbox: verified WeCom events, stored durably, turned into acknowledgements.

The callback endpoint must answer WeCom within 5 seconds, and WeCom retries a callback
it thinks failed, so the endpoint only calls `store_event` (idempotent on the dedup key)
and answers 200. A task later calls `process_events`, which links each button click to
what it acknowledges.

Events are mappings with WeCom's XML element names (`FromUserName`, `CreateTime`,
`MsgType`, `Event`, `EventKey`, `TaskId`, `MsgId`, ...), as the callback parser yields
them. A card's `TaskId` is the one the outbox gave its batch (`outbox.build_task_id`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from wecomply.records.bulk import dialect_insert
from wecomply.records.models import (
    Acknowledgement,
    Assignment,
    AssignmentStatus,
    CallbackEvent,
    Delivery,
    DeliveryBatch,
    Incident,
    InboxOutcome,
    MeetingAttendee,
)
from wecomply.records.outbox import parse_task_id

TEMPLATE_CARD_EVENT = "template_card_event"


def dedup_key(fields: Mapping[str, Any]) -> str:
    """`msgid:<MsgId>`, else a hash of FromUserName + CreateTime + EventKey + TaskId.

    Two clicks on different buttons (or cards) in the same second stay distinct, while
    WeCom's retries of one callback collapse.
    """
    msgid = str(fields.get("MsgId") or "").strip()
    if msgid:
        return f"msgid:{msgid}"
    parts = [str(fields.get(name) or "") for name in ("FromUserName", "CreateTime", "EventKey", "TaskId")]
    return "evt:" + hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def store_event(
    session: Session, event_fields: Mapping[str, Any], *, received_at: datetime | None = None
) -> bool:
    """Store a verified event once. Returns False when it is a duplicate (a WeCom retry)."""
    fields = {str(k): (v if isinstance(v, (str, int, float, list, dict)) or v is None else str(v)) for k, v in event_fields.items()}
    create_time = fields.get("CreateTime")
    stmt = (
        dialect_insert(session, CallbackEvent.__table__)
        .values(
            dedup_key=dedup_key(fields),
            msg_type=_str(fields.get("MsgType"), 32),
            event=_str(fields.get("Event"), 64),
            from_userid=_str(fields.get("FromUserName"), 64),
            create_time=int(create_time) if str(create_time or "").isdigit() else None,
            event_key=_str(fields.get("EventKey"), 1024),
            task_id=_str(fields.get("TaskId"), 128),
            fields=fields,
            received_at=received_at or datetime.now(timezone.utc),
        )
        .on_conflict_do_nothing(index_elements=["dedup_key"])
        .returning(CallbackEvent.__table__.c.id)
    )
    return session.execute(stmt).scalar_one_or_none() is not None


def _str(value: Any, limit: int) -> str | None:
    if value is None or value == "":
        return None
    return str(value)[:limit]


def pending_events(session: Session, *, limit: int = 1000) -> list[CallbackEvent]:
    stmt = (
        sa.select(CallbackEvent)
        .where(CallbackEvent.processed_at.is_(None))
        .order_by(CallbackEvent.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(stmt))


@dataclass
class InboxReport:
    processed: int = 0
    by_outcome: dict[str, int] = field(default_factory=dict)
    acknowledged_assignments: list[int] = field(default_factory=list)


def process_events(session: Session, now: datetime, *, limit: int = 5000) -> InboxReport:
    """Turn pending events into acknowledgements; every event ends processed, once.

    A click is linked to the delivery that carried its card (batch task_id + the
    clicking member), and through it to the assignment; failing that, to the assignment
    (kind = duty in the task_id, subject = clicker, period). A click completes an open
    assignment with the click time as evidence, confirms a meeting attendee, and stops
    an incident's 30-minute clock.
    """
    report = InboxReport()
    deliveries_by_batch: dict[int, list[Any]] = {}
    for event in pending_events(session, limit=limit):
        outcome = _process_one(session, event, now, deliveries_by_batch, report)
        event.processed_at = now
        event.outcome = outcome.value
        report.processed += 1
        report.by_outcome[outcome.value] = report.by_outcome.get(outcome.value, 0) + 1
    session.flush()
    return report


def _process_one(
    session: Session,
    event: CallbackEvent,
    now: datetime,
    deliveries_by_batch: dict[int, list[Any]],
    report: InboxReport,
) -> InboxOutcome:
    if event.event != TEMPLATE_CARD_EVENT or not event.from_userid or not event.task_id:
        return InboxOutcome.IGNORED
    userid = event.from_userid
    clicked_at = datetime.fromtimestamp(event.create_time, timezone.utc) if event.create_time else now

    delivery_id: int | None = None
    assignment_id: int | None = None
    batch_id = session.scalar(sa.select(DeliveryBatch.id).where(DeliveryBatch.task_id == event.task_id))
    if batch_id is not None:
        if batch_id not in deliveries_by_batch:
            d = Delivery.__table__
            deliveries_by_batch[batch_id] = list(
                session.execute(sa.select(d.c.id, d.c.recipients, d.c.assignment_id).where(d.c.batch_id == batch_id))
            )
        for row in deliveries_by_batch[batch_id]:
            if userid.lower() in {r.lower() for r in row.recipients}:
                delivery_id, assignment_id = row.id, row.assignment_id
                break
    ref = parse_task_id(event.task_id)
    if assignment_id is None and ref is not None:
        assignment_id = session.scalar(
            sa.select(Assignment.id).where(
                Assignment.kind == ref.duty, Assignment.subject_userid == userid, Assignment.period == ref.period
            )
        )
    if delivery_id is None and assignment_id is None:
        return InboxOutcome.UNMATCHED

    inserted = session.execute(
        dialect_insert(session, Acknowledgement.__table__)
        .values(
            userid=userid,
            task_id=event.task_id,
            event_key=event.event_key or "",
            assignment_id=assignment_id,
            delivery_id=delivery_id,
            inbox_event_id=event.id,
            clicked_at=clicked_at,
            received_at=event.received_at,
        )
        .on_conflict_do_nothing()
        .returning(Acknowledgement.__table__.c.id)
    ).scalar_one_or_none()
    if inserted is None:
        return InboxOutcome.DUPLICATE_CLICK
    if assignment_id is not None:
        _complete_assignment(session, assignment_id, userid, clicked_at, event, report)
    return InboxOutcome.ACKNOWLEDGED


def _complete_assignment(
    session: Session,
    assignment_id: int,
    userid: str,
    clicked_at: datetime,
    event: CallbackEvent,
    report: InboxReport,
) -> None:
    assignment = session.get(Assignment, assignment_id)
    if assignment is None:
        return
    if assignment.status == AssignmentStatus.OPEN:
        assignment.status = AssignmentStatus.COMPLETED.value
        assignment.completed_at = clicked_at
        assignment.evidence = {
            "via": "button",
            "task_id": event.task_id,
            "event_key": event.event_key,
            "inbox_event_id": event.id,
            "clicked_at": clicked_at.isoformat(),
        }
        report.acknowledged_assignments.append(assignment_id)
    if assignment.ref_type == "meeting" and assignment.ref_id and assignment.ref_id.isdigit():
        session.execute(
            sa.update(MeetingAttendee)
            .where(
                MeetingAttendee.meeting_id == int(assignment.ref_id),
                MeetingAttendee.userid == userid,
                MeetingAttendee.confirmed_at.is_(None),
            )
            .values(confirmed_at=clicked_at)
        )
    elif assignment.ref_type == "incident" and assignment.ref_id:
        session.execute(
            sa.update(Incident)
            .where(Incident.key == assignment.ref_id, Incident.acknowledged_at.is_(None))
            .values(acknowledged_at=clicked_at, acknowledged_by=userid)
        )
