"""Outbox-driven sending shared by every DAG: plan → claim → send → complete.

    report = deliver(sessions, client, requests, now=now, worker_id=ti_id,
                     duplicate_check_interval=policy_seconds)

Each step runs in a short transaction, committed before the next step starts:

- *plan* commits the delivery rows and their frozen batches first, so that whatever
  happens next, a retry finds exactly the same bodies to (re)send;
- *claim* commits the lease and the attempt time before the HTTP call: if the worker
  dies during the call, the row already says "an attempt started at T", which is what
  the in-doubt rule needs; and no transaction (on SQLite, the single write lock) is held
  open while WeCom answers, so other workers and the client's own pacing/token stores
  (same database) are not blocked for the length of a request;
- *complete* commits WeCom's answer (msgid, invalid users) together with the next
  claim, or at the end: one transaction fewer per message. A crash in between leaves that
  one batch as a crash mid-request does: resent byte-identically inside the
  duplicate-check window (WeCom answers from its duplicate check), never blindly after.

The task's own transaction (if any) is separate: pass a session factory, not a session.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple, Protocol

from sqlalchemy.orm import Session, sessionmaker

from wecomply.records import outbox
from wecomply.records.models import DeliveryStatus
from wecomply.records.outbox import (
    ClaimState,
    DeliveryKey,
    DeliveryRequest,
    DeliveryState,
    SendOutcome,
    build_task_id,
    parse_task_id,
)
from wecomply.wecom.errors import (
    WeComAllRecipientsInvalid,
    WeComApiError,
    WeComConfigError,
    WeComError,
    WeComRateLimited,
    WeComSendInDoubt,
    WeComTokenRejected,
    WeComTransientError,
)

__all__ = [
    "DeliveryKey",
    "DeliveryOutcome",
    "DeliveryReport",
    "DeliveryRequest",
    "Sender",
    "build_task_id",
    "deliver",
    "parse_task_id",
    "settled_summary",
]

log = logging.getLogger(__name__)

DEFAULT_LEASE = timedelta(minutes=5)
# A resend must reach WeCom inside the window; leave room for the request itself.
DEFAULT_RESEND_MARGIN = timedelta(seconds=60)
PLAN_RETRIES = 5


class Sender(Protocol):
    """What `deliver` needs from the WeCom client (`WeComClient.send_message`)."""

    def send_message(self, body: dict[str, Any]) -> Any: ...


class DeliveryOutcome(NamedTuple):
    # A tuple, not a frozen dataclass: a fan-out builds one per person (10k frozen
    # dataclasses cost ~20 ms of a ~0.4 s run, and more garbage-collector work).
    key: DeliveryKey
    status: DeliveryStatus
    msgid: str | None
    invalid_users: tuple[str, ...]
    sent_now: bool  # this call's send (or resend) completed it
    pending: bool  # still owed: another worker holds it, or it was deferred


_FAILED = (DeliveryStatus.FAILED, DeliveryStatus.INVALID)


@dataclass
class DeliveryReport:
    outcomes: dict[DeliveryKey, DeliveryOutcome] = field(default_factory=dict)
    batches_sent: int = 0  # requests WeCom accepted during this call
    resends: int = 0  # of which were duplicate-check resends after a doubtful attempt
    errors: list[str] = field(default_factory=list)

    def _keys(self, predicate: Callable[[DeliveryOutcome], bool]) -> list[DeliveryKey]:
        return [key for key, o in self.outcomes.items() if predicate(o)]

    @property
    def sent(self) -> list[DeliveryKey]:
        return self._keys(lambda o: o.sent_now)

    @property
    def already_done(self) -> list[DeliveryKey]:
        return self._keys(lambda o: not o.sent_now and not o.pending)

    @property
    def pending(self) -> list[DeliveryKey]:
        return self._keys(lambda o: o.pending)

    @property
    def in_doubt(self) -> list[DeliveryKey]:
        return self._keys(lambda o: o.status is DeliveryStatus.IN_DOUBT)

    @property
    def failed(self) -> list[DeliveryKey]:
        return self._keys(lambda o: o.status in _FAILED)

    @property
    def complete(self) -> bool:
        """Nothing is still owed (in-doubt and failed deliveries are settled, and reported)."""
        return not self.pending

    def summary(self) -> dict[str, int]:
        # One pass (the properties above are a pass each): same counts as their lengths.
        sent = already_done = pending = in_doubt = failed = 0
        for o in self.outcomes.values():
            if o.sent_now:
                sent += 1
            elif not o.pending:
                already_done += 1
            if o.pending:
                pending += 1
            if o.status is DeliveryStatus.IN_DOUBT:
                in_doubt += 1
            elif o.status in _FAILED:
                failed += 1
        return {
            "requests": len(self.outcomes),
            "sent": sent,
            "already_done": already_done,
            "pending": pending,
            "in_doubt": in_doubt,
            "failed": failed,
            "batches_sent": self.batches_sent,
            "resends": self.resends,
        }


def settled_summary(requests: int, by_status: Mapping[DeliveryStatus, int]) -> dict[str, int]:
    """What `DeliveryReport.summary()` says when `deliver` finds all `requests` settled by
    an earlier run, given their delivery rows counted by status: nothing sent or pending.
    For callers that can tell everything is settled without building the requests."""
    return {
        "requests": requests,
        "sent": 0,
        "already_done": requests,
        "pending": 0,
        "in_doubt": by_status.get(DeliveryStatus.IN_DOUBT, 0),
        "failed": sum(by_status.get(status, 0) for status in _FAILED),
        "batches_sent": 0,
        "resends": 0,
    }


def _clock(now: datetime | Callable[[], datetime]) -> Callable[[], datetime]:
    if callable(now):
        return now
    if now.tzinfo is None:
        raise ValueError("deliver(now=...) must be timezone-aware")
    return lambda: now


def deliver(
    sessions: sessionmaker[Session],
    sender: Sender,
    requests: Sequence[DeliveryRequest],
    *,
    now: datetime | Callable[[], datetime],
    worker_id: str,
    duplicate_check_interval: int = 1800,
    lease: timedelta = DEFAULT_LEASE,
    resend_margin: timedelta = DEFAULT_RESEND_MARGIN,
    max_attempts: int = 3,
) -> DeliveryReport:
    """Send every request that is still owed, each exactly once; return what happened.

    `now` is the decision clock (a datetime, or a callable for long runs). A second call
    with the same requests sends nothing. `WeComConfigError` is re-raised after releasing
    the batch (a person must fix the connection); other WeCom errors are recorded and
    reported, and the report's `pending` lists what a retry must still send.
    """
    clock = _clock(now)
    report = DeliveryReport()
    batch_of, owed = _plan(sessions, requests, clock=clock, interval=duplicate_check_interval)
    answers = _Answers()
    try:
        for batch_id in owed:
            _send_batch(
                sessions,
                sender,
                batch_id,
                clock=clock,
                worker_id=worker_id,
                lease=lease,
                resend_margin=resend_margin,
                max_attempts=max_attempts,
                report=report,
                answers=answers,
            )
    finally:
        answers.record_last(sessions)  # also when a send raised
    recorded = answers.recorded

    # A batch whose answer this call recorded, with no invalid recipient, left every
    # delivery in it SENT with its msgid (one transaction, and a SENT batch is never
    # claimed again): no need to read those back. At 100k people that read was ~2 s.
    clean = {batch_id for batch_id, outcome in recorded.items() if not outcome.invalid_users}
    keys = [r.key for r in requests]
    unknown = [key for key in keys if batch_of.get(key) not in clean]
    states: dict[DeliveryKey, DeliveryState] = {}
    if unknown:
        with sessions.begin() as session:
            states = outbox.delivery_states(
                unknown, session=session, batch_ids=sorted({batch_of[k] for k in unknown if k in batch_of})
            )
    for key in keys:
        batch_id = batch_of.get(key)
        if batch_id in clean:
            report.outcomes[key] = DeliveryOutcome(
                key=key, status=DeliveryStatus.SENT, msgid=recorded[batch_id].msgid, invalid_users=(),
                sent_now=True, pending=False,
            )
            continue
        state = states[key]
        report.outcomes[key] = DeliveryOutcome(
            key=key,
            status=state.status,
            msgid=state.msgid,
            invalid_users=state.invalid_users,
            sent_now=state.batch_id in recorded,
            pending=state.status is DeliveryStatus.QUEUED,
        )
    log.info("deliver %s: %s", worker_id, report.summary())
    return report


def _plan(
    sessions: sessionmaker[Session],
    requests: Sequence[DeliveryRequest],
    *,
    clock: Callable[[], datetime],
    interval: int,
) -> tuple[dict[DeliveryKey, int], list[int]]:
    """The batch of each request's delivery, and the batches still owed."""
    ordered = sorted(requests, key=lambda r: (not r.urgent, r.key))
    for attempt in range(PLAN_RETRIES):
        try:
            with sessions.begin() as session:
                batch_of = outbox.plan(
                    ordered, session=session, now=clock(), duplicate_check_interval=interval, optimistic=attempt == 0
                )
                # Only what is still owed is claimed: a re-run of a sent month claims nothing.
                return batch_of, outbox.owed_batches(sorted(set(batch_of.values())), session=session)
        except outbox.PlanConflict:
            log.info("plan conflict with a concurrent worker (attempt %d); planning again", attempt + 1)
    raise RuntimeError(f"could not plan deliveries after {PLAN_RETRIES} attempts")


def _send_batch(
    sessions: sessionmaker[Session],
    sender: Sender,
    batch_id: int,
    *,
    clock: Callable[[], datetime],
    worker_id: str,
    lease: timedelta,
    resend_margin: timedelta,
    max_attempts: int,
    report: DeliveryReport,
    answers: _Answers,
) -> None:
    """Send one batch, adding its answer to `answers` and what went wrong to `report`."""
    for _ in range(max_attempts):
        with answers.recording(sessions) as session:
            claim = outbox.claim_batch(
                batch_id, session=session, worker_id=worker_id, now=clock(), lease=lease, resend_margin=resend_margin
            )
        if claim.state is ClaimState.MARKED_IN_DOUBT:
            report.errors.append(f"batch {batch_id}: in doubt after the duplicate-check window; not resent")
            return
        if claim.state is not ClaimState.CLAIMED:
            return
        assert claim.body is not None
        try:
            result = sender.send_message(claim.body)
        except WeComSendInDoubt as exc:
            _release(sessions, batch_id, worker_id, exc, maybe_sent=True)
            continue  # re-claim: resent byte-identically only if still inside the window
        except WeComAllRecipientsInvalid as exc:
            with sessions.begin() as session:
                outbox.fail_batch(batch_id, session=session, now=clock(), error=_describe(exc), all_invalid=True)
            return
        except WeComConfigError as exc:
            _release(sessions, batch_id, worker_id, exc, maybe_sent=False)
            raise
        except WeComTokenRejected as exc:
            # WeCom refused the token even after one refresh: the request was not carried
            # out, so the batch stays owed and the task's retry sends it.
            _release(sessions, batch_id, worker_id, exc, maybe_sent=False)
            report.errors.append(f"batch {batch_id}: {_describe(exc)}")
            return
        except (WeComRateLimited, WeComTransientError) as exc:
            maybe = bool(getattr(exc, "may_have_left", False))
            _release(sessions, batch_id, worker_id, exc, maybe_sent=maybe)
            report.errors.append(f"batch {batch_id}: {_describe(exc)}")
            if maybe:
                continue
            return
        except WeComApiError as exc:
            with sessions.begin() as session:
                outbox.fail_batch(batch_id, session=session, now=clock(), error=_describe(exc))
            report.errors.append(f"batch {batch_id}: {_describe(exc)}")
            return
        except WeComError as exc:
            # Pacing/daily-cap refusals happen before the request leaves: not sent.
            _release(sessions, batch_id, worker_id, exc, maybe_sent=False)
            report.errors.append(f"batch {batch_id}: {_describe(exc)}")
            return
        except BaseException as exc:
            # Unknown failure mid-send: assume the request may have left.
            _release(sessions, batch_id, worker_id, exc, maybe_sent=True)
            raise
        answers.waiting = _Answer(batch_id, SendOutcome.of(result), clock())
        report.batches_sent += 1
        if claim.resend:
            report.resends += 1
        return
    # Every attempt may have reached WeCom: the batch stays owed, and a later claim resends
    # it only inside the duplicate-check window.


class _Answer(NamedTuple):
    batch_id: int
    outcome: SendOutcome
    at: datetime


@dataclass
class _Answers:
    """WeCom's answers, each recorded in the transaction that claims the next batch.

    A message then costs two transactions of the records DB (claim + record the previous
    answer; the client's pacing reservation), not three: on PostgreSQL each is several
    round trips, and a month end sends thousands of one-person messages. At most one
    answer waits at a time, so a worker that dies leaves at most one sent batch
    unrecorded, as dying mid-request always could: it is SENDING under a lease, and a
    retry resends it byte-identically inside the duplicate-check window (WeCom answers
    the resend from its duplicate check) or, after that window, reports it in doubt.
    """

    waiting: _Answer | None = None
    recorded: dict[int, SendOutcome] = field(default_factory=dict)  # batches this call recorded

    @contextmanager
    def recording(self, sessions: sessionmaker[Session]) -> Iterator[Session]:
        """A transaction that also records the waiting answer. The answer stops waiting
        only when that transaction commits: if the rest of it fails, `deliver` tries once
        more in a transaction of its own (recording an answer twice changes nothing)."""
        answer = self.waiting
        with sessions.begin() as session:
            stored = answer is not None and outbox.complete_batch(
                answer.batch_id, answer.outcome, session=session, now=answer.at
            )
            yield session
        if answer is not None:
            self.waiting = None
            if stored:
                self.recorded[answer.batch_id] = answer.outcome

    def record_last(self, sessions: sessionmaker[Session]) -> None:
        """Record an answer still waiting (there is no next claim to carry it)."""
        if self.waiting is not None:
            with self.recording(sessions):
                pass


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


def _release(
    sessions: sessionmaker[Session], batch_id: int, worker_id: str, exc: BaseException, *, maybe_sent: bool
) -> None:
    with sessions.begin() as session:
        outbox.release_batch(batch_id, session=session, worker_id=worker_id, error=_describe(exc), maybe_sent=maybe_sent)

