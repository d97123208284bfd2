"""The outbox: the durable state machine behind "nothing lost, nothing doubled".

A `Delivery` row, unique on (duty, subject, period, step), says "this message is owed".
It is written before anything is sent, so a retried, cleared or backfilled task finds it
and never owes the message twice. Deliveries with identical content are grouped into a
`DeliveryBatch`: one `message/send` request whose body is frozen as canonical JSON (it
never contains the access token; the client adds that to the URL). Freezing matters: a
resend must be byte-identical for WeCom's duplicate check to suppress it.

A batch moves READY → SENDING (claimed by compare-and-set, under a lease) → SENT, or
back to READY when WeCom definitely did not take it. A batch whose previous attempt may
have been delivered (the client raised `WeComSendInDoubt`, or a worker's lease expired
mid-send) is resent only while inside the duplicate-check window measured from its first
attempt; after that it becomes IN_DOUBT and is reported, never blindly resent.

Every function here takes `*, session` and never commits: the caller decides where the
transaction ends (`wecomply.delivery.deliver` commits after each step, see there).
"""

from __future__ import annotations

import enum
import functools
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from wecomply.records.bulk import Columns, Same, chunks, insert_columns, insert_columns_ignore
from wecomply.records.models import DELIVERY_KEY_COLUMNS, BatchStatus, Delivery, DeliveryBatch, DeliveryStatus
from wecomply.wecom.messages import MAX_USERS_PER_CALL, batch_bodies, body_bytes

_KEY_PART = re.compile(r"[A-Za-z0-9_-]+")
TASK_ID_MAX = 128
_DIGEST_LEN = 12


class DeliveryKey(NamedTuple):
    duty: str
    subject: str
    period: str
    step: str


class _RequestFields(NamedTuple):
    duty: str
    subject: str
    period: str
    step: str
    recipients: tuple[str, ...]
    payload: Mapping[str, Any]
    urgent: bool
    assignment_id: int | None
    key: DeliveryKey


class DeliveryRequest(_RequestFields):
    """One message the policy requires.

    `duty`, `period` and `step` may hold only letters, digits, `_` and `-` (they become
    part of a card's task_id); `subject` is whom or what the message is about (usually
    the recipient's userid; for an escalation, the person escalated about).
    `payload` is a `wecomply.wecom.messages` payload (`msgtype` + content). For
    `template_card` payloads the outbox replaces `task_id` with one per batch (see
    `build_task_id`), so callers may pass any valid placeholder.

    A validated tuple, not a frozen dataclass: a fan-out builds one per person, and a
    frozen dataclass sets each field through `object.__setattr__` (building the 10k
    requests of the fan-out benchmark: 18.5-18.9 ms as a dataclass, 9.6-10.0 ms as a
    tuple, of a ~0.2 s SQLite fan-out). `key` is computed once here: the planner reads it
    several times per request.
    """

    __slots__ = ()

    def __new__(
        cls,
        duty: str,
        subject: str,
        period: str,
        step: str,
        recipients: tuple[str, ...],
        payload: Mapping[str, Any],
        urgent: bool = False,
        assignment_id: int | None = None,
    ) -> DeliveryRequest:
        key = DeliveryKey(duty, subject, period, step)
        _check_step(duty, period, step)
        if not subject or len(subject) > 64:
            raise ValueError(f"DeliveryRequest.subject must be 1-64 characters, got {subject!r}")
        if not recipients:
            raise ValueError(f"DeliveryRequest {key} has no recipients")
        if "msgtype" not in payload:
            raise ValueError(f"DeliveryRequest {key} payload has no msgtype")
        # Most requests: one person, already a sorted, distinct tuple.
        if len(recipients) != 1 or type(recipients) is not tuple:
            distinct = set(recipients)
            if len(distinct) > MAX_USERS_PER_CALL:
                raise ValueError(f"DeliveryRequest {key} has more than {MAX_USERS_PER_CALL} recipients")
            recipients = tuple(sorted(distinct))
        return super().__new__(cls, duty, subject, period, step, recipients, payload, urgent, assignment_id, key)

    def __getnewargs__(self) -> tuple[Any, ...]:
        # Copies and pickles go through __new__ (and its checks) without the derived key.
        return tuple(self[:-1])

    def _replace(self, **changes: Any) -> DeliveryRequest:
        # The tuple's own _replace would keep a stale key and skip the checks.
        fields = dict(zip(self._fields[:-1], self[:-1], strict=True)) | changes
        return DeliveryRequest(**fields)


@functools.lru_cache(maxsize=1024)
def _check_step(duty: str, period: str, step: str) -> None:
    """Raise unless (duty, period, step) can be part of a task_id. Cached: a fan-out
    builds 100k requests that share a handful of these triples."""
    for name, value in (("duty", duty), ("period", period), ("step", step)):
        if not _KEY_PART.fullmatch(value):
            raise ValueError(f"DeliveryRequest.{name}={value!r}: only letters, digits, _ and - allowed")
    if len(duty) + len(period) + len(step) + _DIGEST_LEN + 3 > TASK_ID_MAX:
        raise ValueError(f"duty+period+step too long for a task_id: {duty}/{period}/{step}")


# --- task ids ---------------------------------------------------------------------------


class TaskRef(NamedTuple):
    duty: str
    period: str
    step: str
    digest: str


def build_task_id(duty: str, period: str, step: str, digest: str) -> str:
    """`<duty>@<period>@<step>@<digest>`: ≤ 128 bytes of [A-Za-z0-9_@-], unique per batch.

    `@` separates the parts because it may not occur inside them; the digest tells apart
    batches of the same step (WeCom wants task_id unique within the app).
    """
    for part in (duty, period, step, digest):
        if not _KEY_PART.fullmatch(part):
            raise ValueError(f"task_id part {part!r}: only letters, digits, _ and - allowed")
    task_id = f"{duty}@{period}@{step}@{digest}"
    if len(task_id) > TASK_ID_MAX:
        raise ValueError(f"task_id {task_id!r} is longer than {TASK_ID_MAX} bytes")
    return task_id


def parse_task_id(task_id: str) -> TaskRef | None:
    """The parts of a task_id built by `build_task_id`, or None for any other string."""
    parts = (task_id or "").split("@")
    if len(parts) != 4 or not all(_KEY_PART.fullmatch(p) for p in parts) or len(task_id) > TASK_ID_MAX:
        return None
    return TaskRef(*parts)


# --- planning -----------------------------------------------------------------------------


class PlanConflict(Exception):
    """Another worker batched some of these deliveries first; roll back and plan again."""


def _payload_hash(payload: Mapping[str, Any]) -> str:
    return hashlib.sha256(body_bytes(payload)).hexdigest()


def _with_task_id(payload: Mapping[str, Any], task_id: str) -> dict[str, Any]:
    out = json.loads(body_bytes(payload))
    if out.get("msgtype") == "template_card":
        out["template_card"]["task_id"] = task_id
    return out


def plan(
    requests: Sequence[DeliveryRequest],
    *,
    session: Session,
    now: datetime,
    duplicate_check_interval: int,
    optimistic: bool = False,
) -> dict[DeliveryKey, int]:
    """Write the delivery rows that do not exist yet, each into its batch (once).

    Returns the batch of each request's delivery, whatever its status, so the caller can
    send what is still owed. Raises `PlanConflict` when a concurrent planner wrote or
    batched some of these rows in between (the insert skipped them, or the
    compare-and-set on `batch_id IS NULL` missed them).

    `optimistic`: when no batch of these requests' (duty, period, step) exists, take every
    delivery as new without reading them (a first fan-out). A delivery that exists anyway
    (its batch was deleted by hand, or a concurrent planner wrote it) makes the insert
    write fewer rows than planned: `PlanConflict`, and the caller plans again with
    `optimistic=False`.
    """
    by_key: dict[DeliveryKey, DeliveryRequest] = {}
    for request in requests:
        by_key.setdefault(request.key, request)
    if not by_key:
        return {}
    # Read before writing: a re-run of a sent month (every row exists) then writes nothing.
    # The batches' (duty, period, step) index answers "none yet" in one probe; reading the
    # deliveries themselves probes their key index once per request (10k: ~15 ms).
    assume_new = optimistic and not _any_batch(session, by_key)
    rows = {} if assume_new else _rows_for(session, by_key)
    batch_of = {key: row.batch_id for key, row in rows.items() if row.batch_id is not None}
    groups: dict[tuple[str, str, str, str, bool], list[_Member]] = defaultdict(list)
    # Callers often share one payload object among many requests: hash each object once.
    hashes: dict[int, str] = {}
    for key, request in by_key.items():
        row = rows.get(key)
        if row is not None and row.batch_id is not None:
            continue
        digest = hashes.get(id(request.payload))
        if digest is None:
            digest = hashes[id(request.payload)] = _payload_hash(request.payload)
        group = (request.duty, request.period, request.step, digest, request.urgent)
        groups[group].append(_Member(request, row))

    # New deliveries and, at the same index, their batch (two lists: no tuple per person).
    new_requests: list[DeliveryRequest] = []
    new_batches: list[int] = []
    written = expected = 0
    for (duty, period, step, _hash, urgent), members in sorted(groups.items()):
        members.sort(key=lambda m: m.request.subject)
        for pack in _pack(members):
            batch_id = _create_batch(
                pack,
                session=session,
                now=now,
                duty=duty,
                period=period,
                step=step,
                urgent=urgent,
                interval=duplicate_check_interval,
            )
            batch_of.update((member.request.key, batch_id) for member in pack)
            fresh = [m.request for m in pack if m.row is None]
            new_requests += fresh
            new_batches += [batch_id] * len(fresh)
            if len(new_requests) >= _NEW_ROWS_PER_INSERT:
                written += _insert_new(session, new_requests, new_batches, now, assume_new=assume_new)
                expected += len(new_requests)
                new_requests, new_batches = [], []
    written += _insert_new(session, new_requests, new_batches, now, assume_new=assume_new)
    expected += len(new_requests)
    if written != expected:
        raise PlanConflict(f"{expected - written} of {expected} new deliveries were written concurrently")
    return batch_of


# New deliveries are written already in their batch, many batches per bulk insert (10k
# rows on PostgreSQL: ten COPYs 0.29-0.32 s, one 0.26-0.29 s; the server's ~15 µs per row
# is most of either), bounded so that 100k requests do not hold 100k row dicts at once.
_NEW_ROWS_PER_INSERT = 20_000


def _insert_new(
    session: Session, requests: list[DeliveryRequest], batch_ids: list[int], now: datetime, *, assume_new: bool
) -> int:
    """Insert new deliveries, each queued in its batch; returns how many were written. One
    write per row and no read back: a row a concurrent planner wrote meanwhile is skipped,
    and the caller rolls the whole plan back and plans again (reading that planner's rows).

    `assume_new` (nothing was read: a first fan-out): a plain insert, without the conflict
    clause, and any existing row raises `PlanConflict`. On PostgreSQL that lets COPY write
    straight into the table instead of through a staging table (10k rows: ~0.24 s instead
    of ~0.30 s on the server).
    """
    columns: Columns = {
        "duty": [r.duty for r in requests],
        "subject": [r.subject for r in requests],
        "period": [r.period for r in requests],
        "step": [r.step for r in requests],
        "recipients": [r.recipients for r in requests],
        "assignment_id": [r.assignment_id for r in requests],
        "batch_id": batch_ids,
        "status": Same(DeliveryStatus.QUEUED.value),
        "urgent": [r.urgent for r in requests],
        "attempts": Same(0),
        "created_at": Same(now),
    }
    if not assume_new:
        return insert_columns_ignore(session, Delivery.__table__, columns, len(requests), conflict=DELIVERY_KEY_COLUMNS)
    connection = session.connection()
    try:
        return insert_columns(connection, Delivery.__table__, columns, len(requests))
    except connection.dialect.loaded_dbapi.IntegrityError as exc:
        # The transaction is spoilt (PostgreSQL) and is rolled back by the caller, who then
        # plans again reading the rows (any other integrity error is raised there).
        raise PlanConflict(f"a delivery of {len(requests)} taken as new exists already: {exc}") from exc


def owed_batches(batch_ids: Sequence[int], *, session: Session) -> list[int]:
    """The batches among `batch_ids` not finished yet (READY, or SENDING under a lease
    that may have lapsed), urgent ones first, then in id order."""
    t = DeliveryBatch.__table__
    owed: list[tuple[bool, int]] = []
    for id_chunk in chunks(sorted(batch_ids), 5000):
        stmt = sa.select(t.c.id, t.c.urgent).where(
            t.c.id.in_(list(id_chunk)), t.c.status.in_([BatchStatus.READY.value, BatchStatus.SENDING.value])
        )
        owed.extend((not row.urgent, row.id) for row in session.execute(stmt))
    return [batch_id for _, batch_id in sorted(owed)]


class _Row(NamedTuple):
    id: int
    batch_id: int | None
    recipients: tuple[str, ...]


class _Member(NamedTuple):
    """A delivery to batch: its request, and its row when that exists without a batch
    (someone deleted its batch: the foreign key sets `batch_id` NULL, and the delivery is
    owed again); None when the delivery is new."""

    request: DeliveryRequest
    row: _Row | None

    @property
    def recipients(self) -> tuple[str, ...]:
        # A written row's recipients are what was frozen when it was first planned.
        return self.request.recipients if self.row is None else self.row.recipients


def _any_batch(session: Session, by_key: Mapping[DeliveryKey, Any]) -> bool:
    b = DeliveryBatch.__table__
    steps = sorted({(k.duty, k.period, k.step) for k in by_key})
    stmt = sa.select(b.c.id).where(sa.tuple_(b.c.duty, b.c.period, b.c.step).in_(steps)).limit(1)
    return session.execute(stmt).first() is not None


def _rows_for(session: Session, by_key: Mapping[DeliveryKey, Any]) -> dict[DeliveryKey, _Row]:
    rows: dict[DeliveryKey, _Row] = {}
    duties = sorted({k.duty for k in by_key})
    periods = sorted({k.period for k in by_key})
    steps = sorted({k.step for k in by_key})
    subjects = sorted({k.subject for k in by_key})
    t = Delivery.__table__
    # Recipients as stored JSON text, decoded only for rows still to be batched: a re-run
    # reads 100k batched rows and needs none of them.
    raw_recipients = sa.cast(t.c.recipients, sa.Text).label("recipients")
    for subject_chunk in chunks(subjects, 2000):
        stmt = sa.select(t.c.id, t.c.duty, t.c.subject, t.c.period, t.c.step, t.c.batch_id, raw_recipients).where(
            t.c.duty.in_(duties),
            t.c.period.in_(periods),
            t.c.step.in_(steps),
            t.c.subject.in_(list(subject_chunk)),
        )
        for r in session.execute(stmt):
            key = DeliveryKey(r.duty, r.subject, r.period, r.step)
            if key in by_key:
                recipients = () if r.batch_id is not None else tuple(json.loads(r.recipients))
                rows[key] = _Row(r.id, r.batch_id, recipients)
    return rows


def _pack(members: list[_Member]) -> list[list[_Member]]:
    """Greedy packing into bodies of at most 1000 distinct userids."""
    packs: list[list[_Member]] = []
    current: list[_Member] = []
    users: set[str] = set()
    for member in members:
        # Only the userids not in the pack yet: building the union per member made
        # packing 10k single-recipient deliveries quadratic in the pack size. Most
        # deliveries have one recipient: no set for those.
        recipients = member.recipients
        added: Collection[str]
        if len(recipients) == 1:
            added = () if recipients[0] in users else recipients
        else:
            added = set(recipients) - users
        if current and len(users) + len(added) > MAX_USERS_PER_CALL:
            packs.append(current)
            current, users, added = [], set(), recipients
        current.append(member)
        users.update(added)
    if current:
        packs.append(current)
    return packs


def _create_batch(
    pack: list[_Member],
    *,
    session: Session,
    now: datetime,
    duty: str,
    period: str,
    step: str,
    urgent: bool,
    interval: int,
) -> int:
    payload = pack[0].request.payload
    recipients = sorted({u for member in pack for u in member.recipients})
    subjects = sorted(member.request.subject for member in pack)
    digest = hashlib.sha256(
        body_bytes({"payload": payload, "recipients": recipients, "subjects": subjects})
    ).hexdigest()[:_DIGEST_LEN]
    task_id = build_task_id(duty, period, step, digest)
    (body,) = batch_bodies(_with_task_id(payload, task_id), recipients, duplicate_check_interval=interval)
    body_text = body_bytes(body).decode("utf-8")
    is_card = payload.get("msgtype") == "template_card"
    batch_id = session.execute(
        _stmt_new_batch(),
        {
            "duty": duty,
            "period": period,
            "step": step,
            "task_id": task_id if is_card else None,
            "body": body_text,
            "body_sha256": hashlib.sha256(body_text.encode("utf-8")).hexdigest(),
            "recipient_count": len(recipients),
            "urgent": urgent,
            "duplicate_check_interval": interval,
            "status": BatchStatus.READY.value,
            "attempts": 0,
            "maybe_sent": False,
            "created_at": now,
        },
    ).scalar_one()
    # Rows that exist without a batch join this one (compare-and-set on `batch_id IS NULL`);
    # the pack's new rows are written by `plan`, already in this batch.
    ids = [member.row.id for member in pack if member.row is not None]
    taken = 0
    for id_chunk in chunks(ids, 2000):
        taken += session.execute(_stmt_take_into_batch(), {"b_id": batch_id, "p_ids": list(id_chunk)}).rowcount
    if taken != len(ids):
        raise PlanConflict(f"{len(ids) - taken} deliveries of {duty}/{period}/{step} were batched concurrently")
    return batch_id


# --- claiming, completing ---------------------------------------------------------------


class ClaimState(enum.StrEnum):
    CLAIMED = "claimed"  # ours to send now
    DONE = "done"  # sent, failed or in doubt already: nothing to do
    BUSY = "busy"  # another worker holds a live lease
    MARKED_IN_DOUBT = "marked_in_doubt"  # past the dedup window after a doubtful attempt


@dataclass(frozen=True)
class Claim:
    state: ClaimState
    batch_id: int
    body: dict[str, Any] | None = None
    resend: bool = False  # True when a previous attempt may have been delivered


def claim_batch(
    batch_id: int,
    *,
    session: Session,
    worker_id: str,
    now: datetime,
    lease: timedelta,
    resend_margin: timedelta,
) -> Claim:
    """Compare-and-set a batch into SENDING under `worker_id`'s lease.

    The CAS condition is the (status, attempts) pair just read: a concurrent claimer
    bumps `attempts`, so at most one of two racing workers matches.
    """
    lease_values = {"p_lease_owner": worker_id, "p_lease_expires_at": now + lease, "p_now": now}
    # Nearly every claim is of a READY batch no earlier attempt may have delivered: one
    # statement then, not a read and a write (on PostgreSQL each is a round trip).
    body = session.execute(_stmt_claim_ready(), {"b_id": batch_id} | lease_values).scalar_one_or_none()
    if body is not None:
        return Claim(ClaimState.CLAIMED, batch_id, body=json.loads(body))
    row = session.execute(_stmt_batch_row(), {"b_id": batch_id}).one()
    status = BatchStatus(row.status)
    if status in (BatchStatus.SENT, BatchStatus.FAILED, BatchStatus.IN_DOUBT):
        return Claim(ClaimState.DONE, batch_id)
    if status is BatchStatus.SENDING and row.lease_expires_at is not None and row.lease_expires_at > now:
        return Claim(ClaimState.BUSY, batch_id)
    # An expired SENDING lease means its worker vanished mid-send: the outcome is unknown.
    doubtful = bool(row.maybe_sent) or status is BatchStatus.SENDING
    cas = {"b_id": batch_id, "b_status": row.status, "b_attempts": row.attempts}
    if doubtful:
        window_end = row.first_attempt_at + timedelta(seconds=row.duplicate_check_interval) - resend_margin
        if now >= window_end:
            t = DeliveryBatch.__table__
            result = session.execute(
                sa.update(t)
                .where(t.c.id == batch_id, t.c.status == row.status, t.c.attempts == row.attempts)
                .values(
                    status=BatchStatus.IN_DOUBT.value,
                    maybe_sent=True,
                    lease_owner=None,
                    lease_expires_at=None,
                    completed_at=now,
                    last_error="outcome unknown and the duplicate-check window has passed; not resent",
                )
            )
            if result.rowcount != 1:
                return Claim(ClaimState.BUSY, batch_id)
            _settle_deliveries(session, batch_id, status=DeliveryStatus.IN_DOUBT)
            return Claim(ClaimState.MARKED_IN_DOUBT, batch_id)
    result = session.execute(_stmt_claim(), cas | lease_values | {"p_maybe_sent": doubtful})
    if result.rowcount != 1:
        return Claim(ClaimState.BUSY, batch_id)
    # The deliveries are not touched here: the batch row is the record of an attempt in
    # flight, and each delivery takes the batch's attempt count when the outcome is
    # settled (`_settle_deliveries`): one write per person per message, not two.
    return Claim(ClaimState.CLAIMED, batch_id, body=json.loads(row.body), resend=doubtful)


# The statements every message runs (claim, complete) are built once per process, on first
# use: building a SQLAlchemy statement costs ~0.5 ms, running a built one ~0.05 ms on SQLite,
# and a message runs five of them. The rare paths (in doubt, invalid users) build their own.


@functools.cache
def _stmt_new_batch() -> sa.Insert:
    t = DeliveryBatch.__table__
    return sa.insert(t).returning(t.c.id)


@functools.cache
def _stmt_take_into_batch() -> sa.Update:
    t = Delivery.__table__
    return (
        sa.update(t)
        .where(t.c.id.in_(sa.bindparam("p_ids", expanding=True)), t.c.batch_id.is_(None))
        .values(batch_id=sa.bindparam("b_id"))
    )


@functools.cache
def _stmt_batch_row() -> sa.Select:
    t = DeliveryBatch.__table__
    return sa.select(t).where(t.c.id == sa.bindparam("b_id"))


def _claim_values(t: sa.Table) -> dict[str, Any]:
    return {
        "status": BatchStatus.SENDING.value,
        "lease_owner": sa.bindparam("p_lease_owner"),
        "lease_expires_at": sa.bindparam("p_lease_expires_at"),
        "attempts": t.c.attempts + 1,
        "first_attempt_at": sa.func.coalesce(t.c.first_attempt_at, sa.bindparam("p_now", type_=t.c.last_attempt_at.type)),
        "last_attempt_at": sa.bindparam("p_now", type_=t.c.last_attempt_at.type),
    }


@functools.cache
def _stmt_claim() -> sa.Update:
    t = DeliveryBatch.__table__
    return (
        sa.update(t)
        .where(t.c.id == sa.bindparam("b_id"), t.c.status == sa.bindparam("b_status"))
        .where(t.c.attempts == sa.bindparam("b_attempts"))
        .values(_claim_values(t) | {"maybe_sent": sa.bindparam("p_maybe_sent")})
    )


@functools.cache
def _stmt_claim_ready() -> sa.Update:
    """Claim a READY batch that no earlier attempt may have delivered, returning its body.
    Two racing claimers cannot both match: the second sees the first's SENDING."""
    t = DeliveryBatch.__table__
    return (
        sa.update(t)
        .where(t.c.id == sa.bindparam("b_id"), t.c.status == BatchStatus.READY.value, t.c.maybe_sent.is_(False))
        .values(_claim_values(t))
        .returning(t.c.body)
    )


@functools.cache
def _stmt_complete() -> sa.Update:
    t = DeliveryBatch.__table__
    return (
        sa.update(t)
        .where(t.c.id == sa.bindparam("b_id"), t.c.status.not_in([BatchStatus.SENT.value, BatchStatus.FAILED.value]))
        .values(
            status=BatchStatus.SENT.value,
            lease_owner=None,
            lease_expires_at=None,
            completed_at=sa.bindparam("p_now"),
            msgid=sa.bindparam("p_msgid"),
            response_code=sa.bindparam("p_response_code"),
            invalid_users=sa.bindparam("p_invalid_users"),
            invalid_parties=sa.bindparam("p_invalid_parties"),
            invalid_tags=sa.bindparam("p_invalid_tags"),
            unlicensed_users=sa.bindparam("p_unlicensed_users"),
            last_error=None,
        )
    )


def _settle_deliveries(session: Session, batch_id: int, **values: Any) -> None:
    """Record the batch's outcome on every delivery in it: `values`, and the batch's
    attempt count (one statement per set of columns, built once)."""
    params = {f"p_{k}": (v.value if isinstance(v, enum.Enum) else v) for k, v in values.items()}
    session.execute(_stmt_settle_deliveries(tuple(sorted(values))), {"b_id": batch_id, **params})


def _batch_attempts() -> sa.ScalarSelect:
    b = DeliveryBatch.__table__
    return sa.select(b.c.attempts).where(b.c.id == sa.bindparam("b_id")).scalar_subquery()


@functools.cache
def _stmt_settle_deliveries(columns: tuple[str, ...]) -> sa.Update:
    t = Delivery.__table__
    return (
        sa.update(t)
        .where(t.c.batch_id == sa.bindparam("b_id"))
        .values({column: sa.bindparam(f"p_{column}") for column in columns} | {"attempts": _batch_attempts()})
    )


@dataclass(frozen=True)
class SendOutcome:
    """What WeCom answered for one batch (the fields of the client's `SendResult`)."""

    msgid: str | None
    invalid_users: tuple[str, ...] = ()
    invalid_parties: tuple[str, ...] = ()
    invalid_tags: tuple[str, ...] = ()
    unlicensed_users: tuple[str, ...] = ()
    response_code: str | None = None

    @classmethod
    def of(cls, result: Any) -> SendOutcome:
        return cls(
            msgid=getattr(result, "msgid", None),
            invalid_users=tuple(getattr(result, "invalid_users", ()) or ()),
            invalid_parties=tuple(getattr(result, "invalid_parties", ()) or ()),
            invalid_tags=tuple(getattr(result, "invalid_tags", ()) or ()),
            unlicensed_users=tuple(getattr(result, "unlicensed_users", ()) or ()),
            response_code=getattr(result, "response_code", None),
        )


def complete_batch(batch_id: int, outcome: SendOutcome, *, session: Session, now: datetime) -> bool:
    """Record WeCom's answer, given at `now`; False when another worker had recorded one
    first. A successful answer wins even over a lease another worker took meanwhile (that
    worker's resend was byte-identical, so WeCom deduplicated it)."""
    result = session.execute(
        _stmt_complete(),
        {
            "b_id": batch_id,
            "p_now": now,
            "p_msgid": outcome.msgid,
            "p_response_code": outcome.response_code,
            "p_invalid_users": list(outcome.invalid_users),
            "p_invalid_parties": list(outcome.invalid_parties),
            "p_invalid_tags": list(outcome.invalid_tags),
            "p_unlicensed_users": list(outcome.unlicensed_users),
        },
    )
    if result.rowcount != 1:
        return False
    _settle_deliveries(session, batch_id, status=DeliveryStatus.SENT, msgid=outcome.msgid, sent_at=now, invalid_users=None)
    if outcome.invalid_users:
        # WeCom lower-cases the userids it reports; only affected deliveries are touched.
        invalid = {u.lower() for u in outcome.invalid_users}
        d = Delivery.__table__
        for row in session.execute(sa.select(d.c.id, d.c.recipients).where(d.c.batch_id == batch_id)):
            bad = sorted(u for u in row.recipients if u.lower() in invalid)
            if bad:
                status = DeliveryStatus.INVALID if len(bad) == len(row.recipients) else DeliveryStatus.SENT
                session.execute(
                    sa.update(d).where(d.c.id == row.id).values(invalid_users=bad, status=status.value)
                )
    return True


def release_batch(
    batch_id: int,
    *,
    session: Session,
    worker_id: str,
    error: str,
    maybe_sent: bool,
) -> None:
    """Give a claimed batch back as READY after an attempt that did not complete.

    `maybe_sent` records that this attempt may have been delivered; it is never cleared,
    because an earlier doubtful attempt stays doubtful whatever later attempts do.
    """
    t = DeliveryBatch.__table__
    values: dict[str, Any] = {
        "status": BatchStatus.READY.value,
        "lease_owner": None,
        "lease_expires_at": None,
        "last_error": error[:500],
    }
    if maybe_sent:
        values["maybe_sent"] = True
    session.execute(
        sa.update(t)
        .where(t.c.id == batch_id, t.c.status == BatchStatus.SENDING.value, t.c.lease_owner == worker_id)
        .values(**values)
    )


def fail_batch(
    batch_id: int,
    *,
    session: Session,
    now: datetime,
    error: str,
    all_invalid: bool = False,
) -> None:
    """WeCom refused the request outright: nothing was delivered and resending won't help."""
    t = DeliveryBatch.__table__
    result = session.execute(
        sa.update(t)
        .where(t.c.id == batch_id, t.c.status.not_in([BatchStatus.SENT.value, BatchStatus.FAILED.value]))
        .values(
            status=BatchStatus.FAILED.value,
            lease_owner=None,
            lease_expires_at=None,
            completed_at=now,
            last_error=error[:500],
        )
    )
    if result.rowcount != 1:
        return
    if all_invalid:
        d = Delivery.__table__
        session.execute(
            sa.update(d)
            .where(d.c.batch_id == sa.bindparam("b_id"))
            .values(status=DeliveryStatus.INVALID.value, invalid_users=d.c.recipients, attempts=_batch_attempts()),
            {"b_id": batch_id},
        )
    else:
        _settle_deliveries(session, batch_id, status=DeliveryStatus.FAILED)


# --- reading back ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryState:
    key: DeliveryKey
    delivery_id: int
    status: DeliveryStatus
    batch_id: int | None
    batch_status: BatchStatus | None
    msgid: str | None
    invalid_users: tuple[str, ...]
    attempts: int
    sent_at: datetime | None
    last_error: str | None = None


# Plain lookups: calling an Enum class per row costs ~1 µs, at 100k rows twice per row.
_DELIVERY_STATUS = {s.value: s for s in DeliveryStatus}
_BATCH_STATUS = {s.value: s for s in BatchStatus}


def _decoded_list(raw: str | None) -> tuple[str, ...]:
    # Stored JSON read as text: nearly every row holds null or [], and decoding 100k of
    # those through the JSON type cost more than the rest of the row.
    if raw is None or raw in ("null", "[]"):
        return ()
    return tuple(json.loads(raw) or ())


def delivery_states(
    keys: Iterable[DeliveryKey], *, session: Session, batch_ids: Sequence[int] = ()
) -> dict[DeliveryKey, DeliveryState]:
    """The state of each delivery in `keys`. `batch_ids`, when the caller knows them
    (`plan` returned them), are read first: a few ids instead of thousands of subjects."""
    wanted = set(keys)
    if not wanted:
        return {}
    d = Delivery.__table__
    b = DeliveryBatch.__table__
    columns = (
        d.c.id, d.c.duty, d.c.subject, d.c.period, d.c.step, d.c.status, d.c.batch_id, d.c.msgid,
        sa.cast(d.c.invalid_users, sa.Text).label("invalid_users"), d.c.attempts, d.c.sent_at,
        b.c.status.label("batch_status"), b.c.last_error,
    )
    joined = d.outerjoin(b, d.c.batch_id == b.c.id)
    states: dict[DeliveryKey, DeliveryState] = {}
    for id_chunk in chunks(sorted(batch_ids), 2000):
        _read_states(session, sa.select(*columns).select_from(joined).where(d.c.batch_id.in_(list(id_chunk))), wanted, states)
    rest = wanted - states.keys()
    for where in _covering(rest):
        _read_states(session, sa.select(*columns).select_from(joined).where(where), rest, states)
    return states


def sent_keys(keys: Iterable[DeliveryKey], *, session: Session) -> set[DeliveryKey]:
    """Which of `keys` WeCom has accepted (status sent): the key columns alone, for a
    caller that only needs to know whether everything is done."""
    wanted = set(keys)
    d = Delivery.__table__
    found: set[DeliveryKey] = set()
    for where in _covering(wanted):
        stmt = sa.select(d.c.duty, d.c.subject, d.c.period, d.c.step).where(where, d.c.status == DeliveryStatus.SENT.value)
        found.update(key for key in map(DeliveryKey._make, session.execute(stmt)) if key in wanted)
    return found


def _covering(keys: set[DeliveryKey]) -> Iterator[sa.ColumnElement[bool]]:
    """Conditions that together select at least the rows of `keys` (callers drop the
    rest): each key column IN its values, the subjects 2,000 at a time, so the unique key
    (duty, subject, period, step) is probed."""
    if not keys:
        return
    d = Delivery.__table__
    duties, periods, steps = (sorted({getattr(k, f) for k in keys}) for f in ("duty", "period", "step"))
    for subject_chunk in chunks(sorted({k.subject for k in keys}), 2000):
        yield sa.and_(
            d.c.duty.in_(duties), d.c.period.in_(periods), d.c.step.in_(steps), d.c.subject.in_(list(subject_chunk)),
        )


def _read_states(
    session: Session, stmt: sa.Select, wanted: set[DeliveryKey], states: dict[DeliveryKey, DeliveryState]
) -> None:
    # Unpacked by position: reading 13 columns by name off each of 100k rows cost more than the query.
    for (
        delivery_id, duty, subject, period, step, status, batch_id, msgid, invalid_users, attempts, sent_at,
        batch_status, last_error,
    ) in session.execute(stmt):
        key = DeliveryKey(duty, subject, period, step)
        if key in wanted:
            states[key] = DeliveryState(
                key=key,
                delivery_id=delivery_id,
                status=_DELIVERY_STATUS[status],
                batch_id=batch_id,
                batch_status=_BATCH_STATUS[batch_status] if batch_status else None,
                msgid=msgid,
                invalid_users=_decoded_list(invalid_users),
                attempts=attempts,
                sent_at=sent_at,
                last_error=last_error,
            )


def in_doubt_batches(*, session: Session, since: datetime | None = None) -> list[DeliveryBatch]:
    """Batches that may or may not have been delivered, for the admin to check by hand."""
    stmt = sa.select(DeliveryBatch).where(DeliveryBatch.status == BatchStatus.IN_DOUBT.value)
    if since is not None:
        stmt = stmt.where(DeliveryBatch.completed_at >= since)
    return list(session.scalars(stmt.order_by(DeliveryBatch.id)))

