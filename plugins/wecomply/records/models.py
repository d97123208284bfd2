"""The records schema: typed SQLAlchemy 2 models.

Conventions:
- every instant is a `UTCDateTime` (aware, stored UTC); calendar dates (hire, leave) are
  plain `Date` in the company's timezone, Asia/Shanghai;
- people are referred to by WeCom userid (a string), not by surrogate id, because the
  outbox, the callbacks and the directory all speak userids, and a roster may name a
  leader before that leader's row exists;
- status and kind columns are short strings whose allowed values are the `StrEnum`s
  below, so a report can group on them without joins.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from wecomply.records.types import UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

USERID = sa.String(64)
KEY = sa.String(64)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: sa.JSON(), list[Any]: sa.JSON()}


class Role(enum.StrEnum):
    EMPLOYEE = "employee"
    MANAGER = "manager"
    DEPARTMENT_HEAD = "department_head"
    HR = "hr"
    ADMIN = "admin"
    IT = "it"
    INFOSEC = "infosec"
    LEADERSHIP = "leadership"


class EmployeeStatus(enum.StrEnum):
    ACTIVE = "active"
    LEFT = "left"


class Source(enum.StrEnum):
    ROSTER = "roster"
    WECOM = "wecom"
    MANUAL = "manual"
    API = "api"


class ChangeKind(enum.StrEnum):
    JOINED = "joined"
    LEFT = "left"
    MOVED = "moved"
    REJOINED = "rejoined"


class AssignmentStatus(enum.StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class DeliveryStatus(enum.StrEnum):
    QUEUED = "queued"  # in a batch that has not been confirmed sent
    SENT = "sent"  # WeCom accepted it (some recipients may be in invalid_users)
    INVALID = "invalid"  # WeCom accepted none of its recipients
    FAILED = "failed"  # WeCom refused the request; not sent
    IN_DOUBT = "in_doubt"  # may or may not have been sent; outside the dedup window


class BatchStatus(enum.StrEnum):
    READY = "ready"  # body frozen, waiting for a worker
    SENDING = "sending"  # claimed under a lease
    SENT = "sent"
    FAILED = "failed"
    IN_DOUBT = "in_doubt"


class IncidentStep(enum.StrEnum):
    """v1 §4.3, in order."""

    INITIAL_JUDGEMENT = "initial_judgement"
    RESPONSE = "response"
    INVESTIGATION = "investigation"
    RECOVERY = "recovery"
    SUMMARY_REPORT = "summary_report"
    ACCOUNTABILITY = "accountability"


class InboxOutcome(enum.StrEnum):
    ACKNOWLEDGED = "acknowledged"
    DUPLICATE_CLICK = "duplicate_click"
    UNMATCHED = "unmatched"
    IGNORED = "ignored"


def _created() -> Mapped[datetime]:
    return mapped_column(UTCDateTime(), default=utcnow, nullable=False)


# --- organisation -------------------------------------------------------------------


class Department(Base):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)  # WeCom id
    name: Mapped[str] = mapped_column(sa.String(128))
    # No FK: WeCom lists departments in no guaranteed order and the bulk upsert must not
    # depend on parents arriving first.
    parent_id: Mapped[int | None] = mapped_column(sa.Integer)
    head_userid: Mapped[str | None] = mapped_column(USERID)
    account_owner_userid: Mapped[str | None] = mapped_column(USERID)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    source: Mapped[str] = mapped_column(sa.String(16), default=Source.WECOM)
    updated_at: Mapped[datetime] = _created()


class Employee(Base):
    __tablename__ = "employees"

    id: Mapped[int] = mapped_column(primary_key=True)
    userid: Mapped[str] = mapped_column(USERID, unique=True)
    name: Mapped[str] = mapped_column(sa.String(128))
    # HR's view (the roster is authoritative); for people only WeCom knows, WeCom's main department.
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("departments.id"), index=True)
    direct_leader_userid: Mapped[str | None] = mapped_column(USERID, index=True)
    role: Mapped[str] = mapped_column(sa.String(32), default=Role.EMPLOYEE)
    position: Mapped[str | None] = mapped_column(sa.String(128))
    hire_date: Mapped[date | None] = mapped_column(sa.Date)
    leave_date: Mapped[date | None] = mapped_column(sa.Date)
    transfer_date: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(16), default=EmployeeStatus.ACTIVE, index=True)
    source: Mapped[str] = mapped_column(sa.String(16))  # who created the row
    in_roster: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    # WeCom's view, from the latest directory sync (None: no account seen).
    wecom_status: Mapped[int | None] = mapped_column(sa.SmallInteger)
    wecom_enabled: Mapped[bool | None] = mapped_column(sa.Boolean)
    wecom_department_ids: Mapped[list[Any] | None] = mapped_column(sa.JSON)
    wecom_main_department_id: Mapped[int | None] = mapped_column(sa.Integer)
    wecom_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # last change of the above
    # Digest of the whole account as the latest sync saw it (name and leaders included): a sync
    # snapshots only accounts whose digest changed, and rewrites this row when the digest or
    # the columns above differ (they may also be written locally, e.g. after disabling).
    wecom_digest: Mapped[str | None] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _created()


class DirectorySyncRun(Base):
    """One import of the roster or one sync of the WeCom directory."""

    __tablename__ = "directory_sync_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(16))
    run_id: Mapped[str | None] = mapped_column(sa.String(250))  # Airflow run id or file name
    started_at: Mapped[datetime] = _created()
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    counts: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)


class WeComAccountSnapshot(Base):
    """A member's WeCom account as a directory sync found it.

    Written on first sight and whenever the account differs from the previous sync (a
    daily full copy was 100k rows a working day at 100k people). An account's state as
    of sync N is its latest row with `sync_run_id` <= N; vanishing shows in
    `directory_changes` (kind `left`).
    """

    __tablename__ = "wecom_account_snapshots"
    __table_args__ = (sa.UniqueConstraint("sync_run_id", "userid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sync_run_id: Mapped[int] = mapped_column(sa.ForeignKey("directory_sync_runs.id", ondelete="CASCADE"))
    userid: Mapped[str] = mapped_column(USERID, index=True)
    name: Mapped[str | None] = mapped_column(sa.String(128))
    status: Mapped[int] = mapped_column(sa.SmallInteger)  # 1 active, 2 disabled, 4 not activated, 5 left
    enabled: Mapped[bool] = mapped_column(sa.Boolean)
    department_ids: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    main_department_id: Mapped[int | None] = mapped_column(sa.Integer)
    direct_leader_userids: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    taken_at: Mapped[datetime] = _created()


class DirectoryChange(Base):
    __tablename__ = "directory_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    sync_run_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("directory_sync_runs.id", ondelete="SET NULL"), index=True
    )
    userid: Mapped[str] = mapped_column(USERID, index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))  # ChangeKind
    source: Mapped[str] = mapped_column(sa.String(16))
    from_department_id: Mapped[int | None] = mapped_column(sa.Integer)
    to_department_id: Mapped[int | None] = mapped_column(sa.Integer)
    effective_on: Mapped[date | None] = mapped_column(sa.Date)
    detected_at: Mapped[datetime] = _created()


# --- duties ---------------------------------------------------------------------------


class Assignment(Base):
    """Something one person must do by a deadline, and the evidence that they did."""

    __tablename__ = "assignments"
    __table_args__ = (
        sa.UniqueConstraint("kind", "subject_userid", "period"),
        sa.Index(None, "kind", "period", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32))  # a wecomply.duties.model.Duty value
    subject_userid: Mapped[str] = mapped_column(USERID, index=True)
    period: Mapped[str] = mapped_column(KEY)  # e.g. 2025-Q1, 2025-03, 2025-03-14, m42
    department_id: Mapped[int | None] = mapped_column(sa.Integer)  # at assignment time
    # What the assignment is about, when it is about a record: meeting, notice, incident.
    ref_type: Mapped[str | None] = mapped_column(sa.String(16))
    ref_id: Mapped[str | None] = mapped_column(KEY)
    assigned_at: Mapped[datetime] = _created()
    due_at: Mapped[datetime]
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(sa.String(16), default=AssignmentStatus.OPEN)
    evidence: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)


class TrainingCompletion(Base):
    """How far one training period has got, per department, as of one day.

    One row per (kind, period, department, day), overwritten when that day's run is
    repeated, so the monthly report can read the latest snapshot of a month and a trend.
    `department_id` is the assignee's current department (0 when unknown).
    """

    __tablename__ = "training_completion"
    __table_args__ = (sa.UniqueConstraint("kind", "period", "department_id", "as_of"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32))  # a Duty value: periodic_training, remedial_training
    period: Mapped[str] = mapped_column(KEY, index=True)
    department_id: Mapped[int] = mapped_column(sa.Integer)
    as_of: Mapped[date] = mapped_column(sa.Date)
    assigned: Mapped[int] = mapped_column(sa.Integer)
    completed: Mapped[int] = mapped_column(sa.Integer)
    completed_on_time: Mapped[int] = mapped_column(sa.Integer)
    recorded_at: Mapped[datetime] = _created()


class CallbackEvent(Base):
    """A verified, decrypted callback event, stored before WeCom gets its 200."""

    __tablename__ = "callback_inbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    dedup_key: Mapped[str] = mapped_column(sa.String(255), unique=True)
    msg_type: Mapped[str | None] = mapped_column(sa.String(32))
    event: Mapped[str | None] = mapped_column(sa.String(64))
    from_userid: Mapped[str | None] = mapped_column(USERID)
    create_time: Mapped[int | None] = mapped_column(sa.BigInteger)
    event_key: Mapped[str | None] = mapped_column(sa.String(1024))
    task_id: Mapped[str | None] = mapped_column(sa.String(128), index=True)
    fields: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    received_at: Mapped[datetime] = _created()
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    outcome: Mapped[str | None] = mapped_column(sa.String(16))  # InboxOutcome


class Acknowledgement(Base):
    __tablename__ = "acknowledgements"
    __table_args__ = (sa.UniqueConstraint("userid", "task_id", "event_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    userid: Mapped[str] = mapped_column(USERID, index=True)
    task_id: Mapped[str] = mapped_column(sa.String(128))
    event_key: Mapped[str] = mapped_column(sa.String(1024))
    assignment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assignments.id"), index=True)
    delivery_id: Mapped[int | None] = mapped_column(sa.ForeignKey("deliveries.id"))
    inbox_event_id: Mapped[int] = mapped_column(sa.ForeignKey("callback_inbox.id"), unique=True)
    clicked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the event's CreateTime
    received_at: Mapped[datetime] = _created()


class Assessment(Base):
    __tablename__ = "assessments"
    __table_args__ = (sa.UniqueConstraint("userid", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    userid: Mapped[str] = mapped_column(USERID)
    period: Mapped[str] = mapped_column(sa.String(7), index=True)  # YYYY-MM
    department_id: Mapped[int | None] = mapped_column(sa.Integer)
    scores: Mapped[dict[str, Any]] = mapped_column(sa.JSON)  # dimension -> score 0..100
    total: Mapped[float] = mapped_column(sa.Float)
    passed: Mapped[bool] = mapped_column(sa.Boolean)
    details: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    computed_at: Mapped[datetime] = _created()


class Violation(Base):
    __tablename__ = "violations"

    id: Mapped[int] = mapped_column(primary_key=True)
    userid: Mapped[str] = mapped_column(USERID, index=True)
    occurred_on: Mapped[date] = mapped_column(sa.Date)
    kind: Mapped[str] = mapped_column(sa.String(64))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    severity: Mapped[int] = mapped_column(sa.SmallInteger, default=1)
    recorded_by: Mapped[str] = mapped_column(USERID)
    recorded_at: Mapped[datetime] = _created()


class Meeting(Base):
    __tablename__ = "meetings"
    __table_args__ = (sa.UniqueConstraint("source", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(16))  # api | manual
    external_id: Mapped[str | None] = mapped_column(sa.String(128))  # WeCom meetingid
    title: Mapped[str] = mapped_column(sa.String(255))
    organiser_userid: Mapped[str] = mapped_column(USERID, index=True)
    start_at: Mapped[datetime]
    end_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    minutes_ref: Mapped[str | None] = mapped_column(sa.String(1024))
    minutes_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    created_at: Mapped[datetime] = _created()

    attendees: Mapped[list[MeetingAttendee]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan"
    )


class MeetingAttendee(Base):
    __tablename__ = "meeting_attendees"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "userid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"))
    userid: Mapped[str] = mapped_column(USERID, index=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    meeting: Mapped[Meeting] = relationship(back_populates="attendees")


class AccountFinding(Base):
    __tablename__ = "account_findings"
    __table_args__ = (
        # At most one open finding per (kind, subject); a resolved one may reopen later.
        sa.Index(
            "uq_account_findings_open",
            "kind",
            "subject",
            unique=True,
            sqlite_where=sa.text("resolved_at IS NULL"),
            postgresql_where=sa.text("resolved_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32))  # a wecomply.duties.accounts.FindingKind value
    subject: Mapped[str] = mapped_column(KEY)  # userid, or department id for dept accounts
    department_id: Mapped[int | None] = mapped_column(sa.Integer)
    details: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    opened_at: Mapped[datetime] = _created()
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    resolution: Mapped[str | None] = mapped_column(sa.String(255))


class AccountRequest(Base):
    __tablename__ = "account_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(sa.String(128), unique=True)  # approval sp_no
    requester_userid: Mapped[str] = mapped_column(USERID)
    subject_name: Mapped[str] = mapped_column(sa.String(128))
    department_id: Mapped[int | None] = mapped_column(sa.Integer)
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    requested_at: Mapped[datetime]
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewer_userid: Mapped[str | None] = mapped_column(USERID)
    outcome: Mapped[str | None] = mapped_column(sa.String(32))


class Incident(Base):
    """A security incident (v1 §4.3) and its 30-minute clock."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(KEY, unique=True)  # e.g. the triggering run id, sanitised
    what: Mapped[str] = mapped_column(sa.Text)
    occurred_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    location: Mapped[str] = mapped_column(sa.String(255), default="")
    scope: Mapped[str] = mapped_column(sa.Text, default="")
    impact: Mapped[str] = mapped_column(sa.Text, default="")
    measures_taken: Mapped[str] = mapped_column(sa.Text, default="")
    people_involved: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    reporter_userid: Mapped[str | None] = mapped_column(USERID)
    clock_started_at: Mapped[datetime]
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by: Mapped[str | None] = mapped_column(USERID)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    steps: Mapped[list[IncidentStepRecord]] = relationship(
        back_populates="incident", cascade="all, delete-orphan", order_by="IncidentStepRecord.seq"
    )


class IncidentStepRecord(Base):
    __tablename__ = "incident_steps"
    __table_args__ = (sa.UniqueConstraint("incident_id", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(sa.ForeignKey("incidents.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(sa.String(32))  # IncidentStep
    seq: Mapped[int] = mapped_column(sa.SmallInteger)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_by: Mapped[str | None] = mapped_column(USERID)
    notes: Mapped[str] = mapped_column(sa.Text, default="")

    incident: Mapped[Incident] = relationship(back_populates="steps")


class Notice(Base):
    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(KEY, unique=True)
    title: Mapped[str] = mapped_column(sa.String(255))
    body: Mapped[str] = mapped_column(sa.Text)
    audience: Mapped[dict[str, Any]] = mapped_column(sa.JSON)  # {"users": [], "departments": [], "tags": []}
    urgent: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[str | None] = mapped_column(USERID)
    created_at: Mapped[datetime] = _created()


# --- sending ----------------------------------------------------------------------------


class DeliveryBatch(Base):
    """One `message/send` request: the exact body, frozen, so a resend is byte-identical."""

    __tablename__ = "delivery_batches"
    __table_args__ = (
        sa.Index(None, "status", "lease_expires_at"),
        # Named: the convention's name would exceed PostgreSQL's 63 characters.
        sa.Index("ix_delivery_batches_duty_period_step", "duty", "period", "step"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    duty: Mapped[str] = mapped_column(sa.String(32))
    period: Mapped[str] = mapped_column(KEY)
    step: Mapped[str] = mapped_column(sa.String(32))
    task_id: Mapped[str | None] = mapped_column(sa.String(128), unique=True)  # template cards
    body: Mapped[str] = mapped_column(sa.Text)  # canonical JSON; never holds the access_token
    body_sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    recipient_count: Mapped[int] = mapped_column(sa.Integer)
    urgent: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    duplicate_check_interval: Mapped[int] = mapped_column(sa.Integer)  # seconds
    status: Mapped[str] = mapped_column(sa.String(16), default=BatchStatus.READY)
    lease_owner: Mapped[str | None] = mapped_column(sa.String(128))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    maybe_sent: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    first_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    msgid: Mapped[str | None] = mapped_column(sa.String(128))
    response_code: Mapped[str | None] = mapped_column(sa.String(255))
    invalid_users: Mapped[list[Any] | None] = mapped_column(sa.JSON)
    invalid_parties: Mapped[list[Any] | None] = mapped_column(sa.JSON)
    invalid_tags: Mapped[list[Any] | None] = mapped_column(sa.JSON)
    unlicensed_users: Mapped[list[Any] | None] = mapped_column(sa.JSON)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = _created()


# What makes a delivery unique: the outbox's bulk insert names the same columns as its
# conflict target, so it is spelled once, here.
DELIVERY_KEY_COLUMNS = ("duty", "subject", "period", "step")


DELIVERIES_FILLFACTOR = 35


class Delivery(Base):
    """One message the policy requires: written before it is sent, completed after."""

    __tablename__ = "deliveries"
    __table_args__ = (
        sa.UniqueConstraint(*DELIVERY_KEY_COLUMNS),
        # Besides the key, batch and assignment, only created_at (never changed) is indexed:
        # settling a batch as sent rewrites status and sent_at on every row, and an index
        # on either was rewritten with it (10k rows: ~26 ms of a ~0.28 s fan-out).
        sa.Index(None, "created_at"),
        # Every row is written once and settled once, and settling makes it larger (msgid,
        # sent_at). Pages filled to 35 % leave room for every row's settled version, so
        # PostgreSQL settles it in its own page (a HOT update) instead of writing a new
        # entry into each of the table's five indexes (migration 0007).
        {"postgresql_with": {"fillfactor": DELIVERIES_FILLFACTOR}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    duty: Mapped[str] = mapped_column(sa.String(32))
    subject: Mapped[str] = mapped_column(KEY)  # whom or what it is about (usually a userid)
    period: Mapped[str] = mapped_column(KEY)
    step: Mapped[str] = mapped_column(sa.String(32))
    recipients: Mapped[list[Any]] = mapped_column(sa.JSON)
    assignment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assignments.id"), index=True)
    batch_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("delivery_batches.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(sa.String(16), default=DeliveryStatus.QUEUED)
    urgent: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    msgid: Mapped[str | None] = mapped_column(sa.String(128))
    invalid_users: Mapped[list[Any] | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = _created()
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Escalation(Base):
    __tablename__ = "escalations"
    __table_args__ = (sa.UniqueConstraint("duty", "subject", "about", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    duty: Mapped[str] = mapped_column(sa.String(32))
    subject: Mapped[str] = mapped_column(KEY)  # whose failure (userid, incident key, ...)
    about: Mapped[str] = mapped_column(KEY)  # the period or record key that was missed
    level: Mapped[int] = mapped_column(sa.SmallInteger)  # 1 = direct leader, 2 = head, 3 = HR ...
    escalated_to: Mapped[list[Any]] = mapped_column(sa.JSON)
    reason: Mapped[str] = mapped_column(sa.String(255), default="")
    assignment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assignments.id"))
    delivery_id: Mapped[int | None] = mapped_column(sa.ForeignKey("deliveries.id"))
    escalated_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


# --- shared state of the WeCom client ------------------------------------------------------


class TokenCacheEntry(Base):
    __tablename__ = "wecom_token_cache"

    key: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    sealed: Mapped[str] = mapped_column(sa.Text)  # encrypted by the client; never a usable token
    expires_at: Mapped[float] = mapped_column(sa.Float)
    updated_at: Mapped[datetime] = _created()


class StoreLock(Base):
    """Rows that exist to be locked (`SELECT … FOR UPDATE`) around a token refresh."""

    __tablename__ = "wecom_store_locks"

    name: Mapped[str] = mapped_column(sa.String(255), primary_key=True)


class PacingReservation(Base):
    """One message to its members at one time: the sliding-window ledger of per-member limits.

    One row per reservation (up to 1,000 members, one `message/send`), not one per member:
    a 10k fan-out writes ten rows, not 10k (see `wecomply.records.shared_stores`).
    """

    __tablename__ = "wecom_pacing_reservations"
    # AUTOINCREMENT: SQLite may otherwise reuse the largest id after a prune deletes it,
    # and readers catch up by id (`SqlPacingStore`).
    __table_args__ = (sa.Index("ix_wecom_pacing_reservations_scope_id", "scope", "id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    scope: Mapped[str] = mapped_column(sa.String(128))
    sent_at: Mapped[float] = mapped_column(sa.Float)
    members: Mapped[list[str]] = mapped_column(sa.JSON)


class PacingDay(Base):
    __tablename__ = "wecom_pacing_days"

    scope: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    day: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    recipients: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class WorkStamp(Base):
    """What a derived record (a month's assessment results, …) was last computed from.

    `digest` covers the rows the computation read and the rows it wrote
    (`records.stamps`); `summary` is what the computation reported, given again by a re-run
    that finds the digest unchanged and so does not recompute.
    """

    __tablename__ = "work_stamps"

    key: Mapped[str] = mapped_column(sa.String(120), primary_key=True)
    digest: Mapped[str] = mapped_column(sa.String(64))
    summary: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    written_at: Mapped[datetime] = _created()
