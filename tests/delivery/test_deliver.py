"""The outbox semantics: nothing lost, nothing doubled, on SQLite and PostgreSQL.

`FakeWeCom` stands at the client boundary only (our records and orchestration are real):
it keeps WeCom's duplicate check (an identical body inside its interval is accepted but
not delivered again), counts what each member actually receives, and can fail the way
the real client does.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa

from tests.fixtures.records import RecordsDB
from wecomply.delivery import DeliveryKey, DeliveryRequest, deliver, parse_task_id, settled_summary
from wecomply.records import outbox
from wecomply.records.models import BatchStatus, Delivery, DeliveryBatch, DeliveryStatus
from wecomply.wecom import messages
from wecomply.wecom.errors import WeComAllRecipientsInvalid, WeComSendInDoubt, WeComTransientError

T0 = datetime(2025, 3, 3, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai


@dataclass
class Result:
    msgid: str
    invalid_users: tuple[str, ...] = ()
    invalid_parties: tuple[str, ...] = ()
    invalid_tags: tuple[str, ...] = ()
    unlicensed_users: tuple[str, ...] = ()
    response_code: str | None = None


@dataclass
class FakeWeCom:
    clock: Any = None  # callable -> datetime (WeCom's time), defaults to T0
    invalid: frozenset[str] = frozenset()
    in_doubt_after_delivery: int = 0  # raise WeComSendInDoubt after delivering, this many times
    transient_before_delivery: int = 0  # raise a not-sent transient error this many times
    delay_s: float = 0.0
    calls: list[bytes] = field(default_factory=list)
    received: Counter[str] = field(default_factory=Counter)
    _seen: dict[bytes, tuple[datetime, str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def send_message(self, body: dict[str, Any]) -> Result:
        raw = messages.body_bytes(body)
        if self.delay_s:
            time.sleep(self.delay_s)
        with self._lock:
            self.calls.append(raw)
            if self.transient_before_delivery:
                self.transient_before_delivery -= 1
                raise WeComTransientError(-1, "system busy", "message/send")
            now = self.clock() if self.clock else T0
            users = messages.recipients_of(body)
            invalid = tuple(sorted(u.lower() for u in users if u.lower() in self.invalid))
            if len(invalid) == len(users):
                raise WeComAllRecipientsInvalid(81013, "all invalid", "message/send")
            seen = self._seen.get(raw)
            if seen and now - seen[0] < timedelta(seconds=body["duplicate_check_interval"]):
                msgid = seen[1]
            else:
                msgid = f"msg{len(self._seen) + 1}"
                self._seen[raw] = (now, msgid)
                for user in users:
                    if user.lower() not in self.invalid:
                        self.received[user] += 1
            if self.in_doubt_after_delivery:
                self.in_doubt_after_delivery -= 1
                raise WeComSendInDoubt("message/send", "read timeout", duplicate_check=True, conn_id="wecom_default")
            return Result(msgid=msgid, invalid_users=invalid)


def reminder(userid: str, *, step: str = "remind1", text: str = "请完成入职培训") -> DeliveryRequest:
    return DeliveryRequest(
        duty="onboarding",
        subject=userid,
        period="2025-03-03",
        step=step,
        recipients=(userid,),
        payload=messages.text(text),
    )


def batches(db: RecordsDB) -> list[DeliveryBatch]:
    with db.sessions() as session:
        return list(session.scalars(sa.select(DeliveryBatch).order_by(DeliveryBatch.id)))


def test_second_identical_run_sends_nothing(records_db: RecordsDB) -> None:
    wecom = FakeWeCom()
    requests = [reminder(f"u{i:04d}") for i in range(2500)]

    first = deliver(records_db.sessions, wecom, requests, now=T0, worker_id="w1")
    second = deliver(records_db.sessions, wecom, requests, now=T0 + timedelta(hours=5), worker_id="w2")

    assert len(wecom.calls) == 3  # 1000 + 1000 + 500 recipients, identical content batched
    assert sorted(len(messages.recipients_of(b)) for b in map(_load, wecom.calls)) == [500, 1000, 1000]
    assert len(first.sent) == 2500 and first.complete
    assert second.sent == [] and len(second.already_done) == 2500 and second.batches_sent == 0
    # What a caller that can tell everything is settled reports without calling deliver().
    assert second.summary() == settled_summary(2500, {DeliveryStatus.SENT: 2500})
    assert set(wecom.received.values()) == {1} and len(wecom.received) == 2500
    with records_db.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Delivery)) == 2500
        statuses = set(session.scalars(sa.select(Delivery.status)))
    assert statuses == {DeliveryStatus.SENT}


def test_different_content_or_step_is_not_batched_together(records_db: RecordsDB) -> None:
    wecom = FakeWeCom()
    requests = [
        reminder("alice"),
        reminder("bob"),
        reminder("carol", text="请尽快完成入职培训"),
        reminder("dave", step="remind2"),
    ]
    deliver(records_db.sessions, wecom, requests, now=T0, worker_id="w1")
    touser = sorted(_load(raw)["touser"] for raw in wecom.calls)
    assert touser == ["alice|bob", "carol", "dave"]


def test_each_card_batch_gets_its_own_parseable_task_id(records_db: RecordsDB) -> None:
    card = messages.button_card(
        task_id="placeholder", title="入职培训", buttons=[messages.Button("我已完成培训", "done")]
    )
    requests = [
        DeliveryRequest("onboarding", f"u{i}", "2025-03-03", "assign", (f"u{i}",), card) for i in range(1500)
    ]
    deliver(records_db.sessions, FakeWeCom(), requests, now=T0, worker_id="w1")

    stored = batches(records_db)
    task_ids = [b.task_id for b in stored]
    assert len(task_ids) == 2 and len(set(task_ids)) == 2
    for batch in stored:
        assert _load(batch.body.encode())["template_card"]["task_id"] == batch.task_id
        ref = parse_task_id(batch.task_id)
        assert ref is not None and (ref.duty, ref.period, ref.step) == ("onboarding", "2025-03-03", "assign")
        assert "access_token" not in batch.body


def test_two_workers_racing_for_the_same_deliveries_send_each_once(records_db: RecordsDB) -> None:
    wecom = FakeWeCom(delay_s=0.05)
    requests = [reminder(f"u{i:04d}") for i in range(2100)] + [reminder("boss", text="升级提醒")]
    start = threading.Barrier(3)
    reports: dict[str, Any] = {}
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        try:
            start.wait()
            reports[name] = deliver(records_db.sessions, wecom, requests, now=T0, worker_id=name)
        except BaseException as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert len(wecom.calls) == 4  # 1000 + 1000 + 100 + the escalation: each body sent once
    assert len(set(wecom.calls)) == 4
    assert set(wecom.received.values()) == {1} and len(wecom.received) == 2101
    sent_by_someone = set().union(*(set(r.sent) for r in reports.values()))
    assert len(sent_by_someone) == 2101
    # Whoever did not send a row either found it done or saw it held by a live lease.
    for report in reports.values():
        assert set(report.sent) | set(report.already_done) | set(report.pending) == {r.key for r in requests}


def test_a_plan_whose_new_rows_were_written_meanwhile_is_rolled_back_and_redone(
    records_db: RecordsDB, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another worker wrote and sent the first 700 after this planner read the table
    # (what the stale first read below stands for): its insert skips those 700 rows.
    wecom = FakeWeCom()
    requests = [reminder(f"u{i:04d}") for i in range(1500)]
    deliver(records_db.sessions, wecom, requests[:700], now=T0, worker_id="w1")
    real_read = outbox._rows_for
    reads: list[int] = []

    def stale_first_read(session: Any, by_key: Any) -> Any:
        reads.append(len(by_key))
        return {} if len(reads) == 1 else real_read(session, by_key)

    monkeypatch.setattr(outbox, "_rows_for", stale_first_read)
    report = deliver(records_db.sessions, wecom, requests, now=T0, worker_id="w2")

    assert reads == [1500, 1500]  # the stale read, then one that sees the other worker's rows
    assert len(report.sent) == 800 and len(report.already_done) == 700 and report.complete
    assert set(wecom.received.values()) == {1} and len(wecom.received) == 1500
    # The conflicting plan left nothing behind: one batch per send, each row in one.
    assert len(batches(records_db)) == len(wecom.calls) == 2
    with records_db.sessions() as session:
        per_batch = dict(session.execute(sa.select(Delivery.batch_id, sa.func.count()).group_by(Delivery.batch_id)).all())
    assert sorted(per_batch.values()) == [700, 800]


def test_a_step_without_batches_is_planned_without_reading_its_deliveries(
    records_db: RecordsDB, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # A first fan-out (no batch of its duty/period/step yet) writes its rows without
    # reading them first; a re-run reads them (and sends nothing); rows whose batch was
    # deleted make the optimistic insert fall short, and the plan is redone with a read.
    wecom = FakeWeCom()
    requests = [reminder(f"u{i:04d}") for i in range(1500)]
    real_read = outbox._rows_for
    reads: list[int] = []

    def counted_read(session: Any, by_key: Any) -> Any:
        reads.append(len(by_key))
        return real_read(session, by_key)

    monkeypatch.setattr(outbox, "_rows_for", counted_read)
    caplog.set_level(logging.INFO, logger="wecomply.delivery")
    first = deliver(records_db.sessions, wecom, requests, now=T0, worker_id="w1")
    assert reads == [] and len(first.sent) == 1500 and first.complete

    again = deliver(records_db.sessions, wecom, requests, now=T0, worker_id="w2")
    assert reads == [1500] and again.sent == [] and len(again.already_done) == 1500
    assert "plan conflict" not in caplog.text  # the batches were seen: read at once, not guessed

    with records_db.sessions.begin() as session:
        session.execute(sa.delete(DeliveryBatch))
    later = T0 + timedelta(hours=2)
    # 600: on PostgreSQL the optimistic insert is a COPY straight into the table, which
    # fails on the first existing row (below 500 rows it is an INSERT … VALUES).
    redone = deliver(records_db.sessions, wecom, requests[:600], now=later, worker_id="w3")
    assert reads == [1500, 600]  # the optimistic attempt read nothing and fell short; then one read
    assert caplog.text.count("plan conflict") == 1
    assert len(redone.sent) == 600 and redone.complete
    assert set(wecom.received.values()) == {1, 2} and sum(wecom.received.values()) == 2100
    with records_db.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Delivery)) == 1500  # no second row


def test_deliveries_whose_batch_was_deleted_are_batched_again_with_new_ones(records_db: RecordsDB) -> None:
    # Deleting a batch by hand leaves its deliveries owed (the foreign key sets batch_id
    # NULL): the next plan puts those rows, with their frozen recipients, into a batch
    # together with deliveries it writes new, and writes no second row for them.
    wecom = FakeWeCom()
    deliver(records_db.sessions, wecom, [reminder("alice"), reminder("bob")], now=T0, worker_id="w1")
    with records_db.sessions.begin() as session:
        session.execute(sa.delete(DeliveryBatch))
    later = T0 + timedelta(hours=2)  # outside the duplicate-check window: WeCom delivers again
    report = deliver(
        records_db.sessions, wecom, [reminder("alice"), reminder("bob"), reminder("carol")], now=later, worker_id="w2"
    )

    assert len(report.sent) == 3 and report.complete
    assert _load(wecom.calls[-1])["touser"] == "alice|bob|carol"
    with records_db.sessions() as session:
        rows = session.execute(sa.select(Delivery.subject, Delivery.batch_id, Delivery.status)).all()
    (batch,) = batches(records_db)
    assert sorted(rows) == [(u, batch.id, DeliveryStatus.SENT) for u in ("alice", "bob", "carol")]


def test_in_doubt_inside_the_window_is_resent_identically_and_delivered_once(records_db: RecordsDB) -> None:
    wecom = FakeWeCom(in_doubt_after_delivery=1)
    report = deliver(records_db.sessions, wecom, [reminder("alice")], now=T0, worker_id="w1")

    assert len(wecom.calls) == 2 and wecom.calls[0] == wecom.calls[1]  # byte-identical resend
    assert wecom.received == Counter({"alice": 1})
    assert report.resends == 1 and report.sent == [reminder("alice").key]
    (batch,) = batches(records_db)
    assert (batch.status, batch.attempts, batch.maybe_sent, batch.msgid) == (BatchStatus.SENT, 2, True, "msg1")
    # The delivery takes the batch's attempt count when its outcome is recorded.
    with records_db.sessions() as session:
        delivery = session.scalars(sa.select(Delivery)).one()
    assert (delivery.status, delivery.attempts, delivery.msgid) == ("sent", 2, "msg1")


def _claim_and_crash(db: RecordsDB, wecom: FakeWeCom, request: DeliveryRequest) -> None:
    """A worker claims a batch, sends it, and dies before recording the answer."""
    with db.sessions.begin() as session:
        (batch_id,) = outbox.plan([request], session=session, now=T0, duplicate_check_interval=1800).values()
    with db.sessions.begin() as session:
        claim = outbox.claim_batch(
            batch_id, session=session, worker_id="dead", now=T0, lease=timedelta(minutes=5),
            resend_margin=timedelta(seconds=60),
        )
    assert claim.state is outbox.ClaimState.CLAIMED and claim.body is not None
    wecom.send_message(claim.body)


def test_expired_lease_inside_the_window_is_resent_once(records_db: RecordsDB) -> None:
    later = T0 + timedelta(minutes=10)
    wecom = FakeWeCom(clock=lambda: later)
    wecom_at_t0 = FakeWeCom()
    _claim_and_crash(records_db, wecom_at_t0, reminder("alice"))
    wecom._seen = wecom_at_t0._seen  # the same WeCom saw the dead worker's request at T0
    wecom.received = wecom_at_t0.received

    busy = deliver(records_db.sessions, wecom, [reminder("alice")], now=T0 + timedelta(minutes=1), worker_id="w2")
    assert busy.pending == [reminder("alice").key] and wecom.calls == []  # lease still live

    report = deliver(records_db.sessions, wecom, [reminder("alice")], now=later, worker_id="w2")
    assert len(wecom.calls) == 1 and report.resends == 1
    assert wecom.received == Counter({"alice": 1})
    assert report.outcomes[reminder("alice").key].status is DeliveryStatus.SENT


def test_in_doubt_after_the_window_is_reported_and_never_resent(records_db: RecordsDB) -> None:
    wecom = FakeWeCom()
    _claim_and_crash(records_db, wecom, reminder("alice"))
    calls_before = len(wecom.calls)

    report = deliver(records_db.sessions, wecom, [reminder("alice")], now=T0 + timedelta(minutes=40), worker_id="w2")
    again = deliver(records_db.sessions, wecom, [reminder("alice")], now=T0 + timedelta(hours=2), worker_id="w3")

    assert len(wecom.calls) == calls_before
    assert report.in_doubt == [reminder("alice").key] and report.complete
    assert again.in_doubt == [reminder("alice").key] and again.batches_sent == 0
    with records_db.sessions() as session:
        (batch,) = outbox.in_doubt_batches(session=session)
    assert batch.status == BatchStatus.IN_DOUBT and batch.maybe_sent


def test_partial_invaliduser_is_recorded_per_recipient(records_db: RecordsDB) -> None:
    wecom = FakeWeCom(invalid=frozenset({"ghost"}))
    requests = [reminder("alice"), reminder("Ghost"), reminder("bob")]
    escalation = DeliveryRequest(
        "onboarding", "carol", "2025-03-03", "escalate1", ("lead", "ghost"), messages.text("carol 未完成入职培训")
    )
    report = deliver(records_db.sessions, wecom, [*requests, escalation], now=T0, worker_id="w1")

    outcomes = report.outcomes
    assert outcomes[reminder("alice").key].status is DeliveryStatus.SENT
    assert outcomes[reminder("alice").key].invalid_users == ()
    assert outcomes[reminder("Ghost").key].status is DeliveryStatus.INVALID
    assert outcomes[reminder("Ghost").key].invalid_users == ("Ghost",)
    assert outcomes[escalation.key].status is DeliveryStatus.SENT
    assert outcomes[escalation.key].invalid_users == ("ghost",)
    (reminder_batch, _) = batches(records_db)
    assert reminder_batch.invalid_users == ["ghost"]
    again = deliver(records_db.sessions, wecom, [*requests, escalation], now=T0, worker_id="w2")
    assert again.summary() == settled_summary(4, {DeliveryStatus.SENT: 3, DeliveryStatus.INVALID: 1})


def test_all_recipients_invalid_fails_without_retrying(records_db: RecordsDB) -> None:
    wecom = FakeWeCom(invalid=frozenset({"ghost"}))
    report = deliver(records_db.sessions, wecom, [reminder("ghost")], now=T0, worker_id="w1")
    deliver(records_db.sessions, wecom, [reminder("ghost")], now=T0, worker_id="w1")
    assert len(wecom.calls) == 1
    assert report.failed == [reminder("ghost").key] and report.complete


def test_definite_transient_failure_stays_owed_and_a_retry_sends_it(records_db: RecordsDB) -> None:
    wecom = FakeWeCom(transient_before_delivery=1)
    first = deliver(records_db.sessions, wecom, [reminder("alice")], now=T0, worker_id="w1")
    assert first.pending == [reminder("alice").key] and not first.complete and first.errors

    # Long after the window: nothing can have been delivered, so sending is still safe.
    retry = deliver(records_db.sessions, wecom, [reminder("alice")], now=T0 + timedelta(hours=3), worker_id="w1")
    assert retry.sent == [reminder("alice").key]
    assert wecom.received == Counter({"alice": 1})


def test_requests_are_validated() -> None:
    with pytest.raises(ValueError, match="period"):
        reminder("alice").__class__("onboarding", "alice", "2025/03", "s", ("alice",), messages.text("x"))
    with pytest.raises(ValueError, match="recipients"):
        DeliveryRequest("onboarding", "alice", "2025-03", "s", (), messages.text("x"))


def test_a_request_changed_or_copied_is_checked_and_keyed_again() -> None:
    import copy
    import pickle

    request = DeliveryRequest("onboarding", "alice", "2025-03", "s", ("bob", "alice", "bob"), messages.text("x"))
    assert request.recipients == ("alice", "bob"), "distinct and sorted"
    moved = request._replace(subject="carol")
    assert moved.key == DeliveryKey("onboarding", "carol", "2025-03", "s")
    assert pickle.loads(pickle.dumps(request)) == request == copy.deepcopy(request)
    with pytest.raises(ValueError, match="period"):
        request._replace(period="2025/03")


def _load(raw: bytes) -> dict[str, Any]:
    import json

    return json.loads(raw)


def test_each_answer_is_recorded_before_the_next_request_leaves(records_db: RecordsDB) -> None:
    # The answer travels with the next claim's transaction: a worker dying mid-request
    # leaves at most one sent batch unrecorded, as before answers were deferred.
    seen_sent: list[int] = []

    class Watching(FakeWeCom):
        def send_message(self, body: dict[str, Any]) -> Result:
            with records_db.sessions() as session:
                seen_sent.append(
                    session.scalar(sa.select(sa.func.count()).where(DeliveryBatch.status == BatchStatus.SENT))
                )
            return super().send_message(body)

    requests = [reminder(u, text=f"{u} 请完成入职培训") for u in ("alice", "bob", "carol", "dave")]
    report = deliver(records_db.sessions, Watching(), requests, now=T0, worker_id="w1")

    assert seen_sent == [0, 1, 2, 3]
    assert [b.status for b in batches(records_db)] == [BatchStatus.SENT] * 4
    assert report.summary()["sent"] == 4 and all(o.sent_now for o in report.outcomes.values())


def test_a_send_that_raises_leaves_earlier_answers_recorded_and_its_batch_doubtful(records_db: RecordsDB) -> None:
    class Crashing(FakeWeCom):
        def send_message(self, body: dict[str, Any]) -> Result:
            if len(self.calls) == 2:
                self.calls.append(messages.body_bytes(body))
                raise RuntimeError("worker interrupted mid-request")
            return super().send_message(body)

    wecom = Crashing()
    requests = [reminder(u, text=f"{u} 请完成入职培训") for u in ("alice", "bob", "carol", "dave")]
    with pytest.raises(RuntimeError, match="mid-request"):
        deliver(records_db.sessions, wecom, requests, now=T0, worker_id="w1")

    alice, bob, carol, dave = batches(records_db)
    assert [(b.status, b.msgid) for b in (alice, bob)] == [(BatchStatus.SENT, "msg1"), (BatchStatus.SENT, "msg2")]
    assert (carol.status, carol.maybe_sent) == (BatchStatus.READY, True)  # resent only inside the window
    assert (dave.status, dave.attempts) == (BatchStatus.READY, 0)
    with records_db.sessions() as session:
        sent = session.scalars(sa.select(Delivery.subject).where(Delivery.status == DeliveryStatus.SENT)).all()
    assert sorted(sent) == ["alice", "bob"]

    retry = deliver(records_db.sessions, FakeWeCom(), requests, now=T0 + timedelta(minutes=5), worker_id="w2")
    assert (retry.summary()["sent"], retry.summary()["already_done"], retry.resends) == (2, 2, 1)
    assert retry.complete


def test_an_answer_whose_claim_transaction_failed_is_recorded_at_the_end(
    records_db: RecordsDB, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The second claim (which carries the first answer) fails, e.g. a deadlock: its
    # transaction is rolled back, and deliver records the first answer on its way out.
    claims = {"n": 0}
    real_claim = outbox.claim_batch

    def failing_second_claim(*args: Any, **kwargs: Any) -> outbox.Claim:
        claims["n"] += 1
        if claims["n"] == 2:
            raise sa.exc.OperationalError("UPDATE delivery_batches", {}, Exception("deadlock detected"))
        return real_claim(*args, **kwargs)

    monkeypatch.setattr(outbox, "claim_batch", failing_second_claim)
    wecom = FakeWeCom()
    requests = [reminder(u, text=f"{u} 请完成入职培训") for u in ("alice", "bob")]
    with pytest.raises(sa.exc.OperationalError, match="deadlock"):
        deliver(records_db.sessions, wecom, requests, now=T0, worker_id="w1")

    alice, bob = batches(records_db)
    assert (alice.status, alice.msgid) == (BatchStatus.SENT, "msg1")
    assert (bob.status, bob.attempts) == (BatchStatus.READY, 0) and len(wecom.calls) == 1


@pytest.mark.postgres
def test_settling_a_batch_leaves_every_index_of_its_deliveries_untouched_on_postgresql(pg_available: None) -> None:
    """Migration 0007: a delivery is written once and settled once; with its pages filled
    to 35 %, PostgreSQL settles it in its own page (a HOT update), adding no index entry,
    even with a 64-byte msgid (WeCom does not document its length)."""
    from tests.fixtures.databases import create_pg_database, drop_pg_database
    from wecomply.records.db import make_engine, session_factory
    from wecomply.records.migrate import upgrade

    url = create_pg_database()
    engine = make_engine(url)
    try:
        upgrade(url)
        sessions = session_factory(engine)
        people = [reminder(f"u{i:04d}") for i in range(1000)]  # one card: one batch, written by COPY
        with sessions.begin() as session:
            (batch_id,) = set(outbox.plan(people, session=session, now=T0, duplicate_check_interval=1800).values())
        with sessions.begin() as session:
            claim = outbox.claim_batch(
                batch_id, session=session, worker_id="w1", now=T0, lease=timedelta(minutes=5),
                resend_margin=timedelta(seconds=60),
            )
            assert claim.state is outbox.ClaimState.CLAIMED
            msgid = "wecom-msgid-" + "x" * 52
            assert outbox.complete_batch(batch_id, outbox.SendOutcome(msgid=msgid), session=session, now=T0)
            # This transaction's own counts, exact (the cumulative statistics lag behind).
            updated, hot = session.execute(sa.text(
                "SELECT pg_stat_get_xact_tuples_updated(oid), pg_stat_get_xact_tuples_hot_updated(oid) "
                "FROM pg_class WHERE relname = 'deliveries'"
            )).one()
        with sessions() as session:
            statuses = Counter(session.scalars(sa.select(Delivery.status)))
    finally:
        engine.dispose()
        drop_pg_database(url)
    assert statuses == Counter({DeliveryStatus.SENT.value: 1000})
    assert (updated, hot) == (1000, 1000)
