"""Callback events: stored once, turned into acknowledgements linked to assignments."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from tests.delivery.test_deliver import FakeWeCom
from tests.fixtures.records import RecordsDB
from wecomply.delivery import DeliveryRequest, deliver
from wecomply.records import inbox
from wecomply.records.assignments import AssignmentSpec, assignment_ids, ensure_assignments
from wecomply.records.models import Acknowledgement, Assignment, CallbackEvent, DeliveryBatch
from wecomply.wecom import messages

T0 = datetime(2025, 3, 3, 2, 0, tzinfo=timezone.utc)


def click(userid: str, task_id: str, *, key: str = "done", at: int = 1740967500) -> dict[str, str]:
    return {
        "ToUserName": "wwcorp",
        "FromUserName": userid,
        "CreateTime": str(at),
        "MsgType": "event",
        "Event": "template_card_event",
        "EventKey": key,
        "TaskId": task_id,
        "CardType": "button_interaction",
        "AgentID": "1000002",
    }


def test_store_event_dedups_wecom_retries(records_db: RecordsDB) -> None:
    event = click("alice", "onboarding@2025-03-03@assign@abc")
    with records_db.sessions.begin() as session:
        assert inbox.store_event(session, event) is True
        assert inbox.store_event(session, dict(event)) is False
        assert inbox.store_event(session, click("alice", "onboarding@2025-03-03@assign@abc", key="other")) is True
        assert inbox.store_event(session, {"MsgId": "42", "MsgType": "text", "FromUserName": "bob"}) is True
        assert inbox.store_event(session, {"MsgId": "42", "MsgType": "text", "FromUserName": "bob"}) is False
    with records_db.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(CallbackEvent)) == 3


def test_clicks_become_acknowledgements_that_complete_assignments(records_db: RecordsDB) -> None:
    users = ["alice", "bob", "carol"]
    with records_db.sessions.begin() as session:
        ensure_assignments(
            [AssignmentSpec("onboarding", u, "2025-03-03", T0 + timedelta(days=7)) for u in users],
            session=session,
            now=T0,
        )
        ids = assignment_ids("onboarding", "2025-03-03", users, session=session)
    card = messages.button_card(task_id="x", title="入职培训", buttons=[messages.Button("我已完成培训", "done")])
    requests = [
        DeliveryRequest("onboarding", u, "2025-03-03", "assign", (u,), card, assignment_id=ids[u]) for u in users
    ]
    deliver(records_db.sessions, FakeWeCom(), requests, now=T0, worker_id="w1")
    with records_db.sessions() as session:
        task_id = session.scalar(sa.select(DeliveryBatch.task_id))
    assert task_id

    with records_db.sessions.begin() as session:
        inbox.store_event(session, click("Alice", task_id))  # WeCom may echo another case
        inbox.store_event(session, click("bob", task_id, at=1740967600))
        inbox.store_event(session, click("bob", task_id, at=1740967700))  # a second click
        inbox.store_event(session, click("mallory", "onboarding@2025-03-03@assign@ffffffffffff"))
        inbox.store_event(session, {"MsgType": "event", "Event": "enter_agent", "FromUserName": "carol", "CreateTime": "1"})
    with records_db.sessions.begin() as session:
        report = inbox.process_events(session, T0 + timedelta(hours=1))
    with records_db.sessions.begin() as session:
        again = inbox.process_events(session, T0 + timedelta(hours=2))

    assert report.by_outcome == {"acknowledged": 2, "duplicate_click": 1, "unmatched": 1, "ignored": 1}
    assert again.processed == 0
    with records_db.sessions() as session:
        acks = session.scalars(sa.select(Acknowledgement).order_by(Acknowledgement.id)).all()
        assignments = {a.subject_userid: a for a in session.scalars(sa.select(Assignment))}
    assert [(a.userid, a.assignment_id) for a in acks] == [("Alice", ids["alice"]), ("bob", ids["bob"])]
    assert assignments["alice"].status == "completed"
    assert assignments["bob"].completed_at == datetime.fromtimestamp(1740967600, timezone.utc)
    assert assignments["bob"].evidence["task_id"] == task_id
    assert assignments["carol"].status == "open" and assignments["carol"].completed_at is None


def test_task_id_round_trip() -> None:
    from wecomply.records.outbox import build_task_id, parse_task_id

    task_id = build_task_id("quarterly", "2025-Q2", "remind1", "0123456789ab")
    assert task_id == "quarterly@2025-Q2@remind1@0123456789ab"
    assert tuple(parse_task_id(task_id)) == ("quarterly", "2025-Q2", "remind1", "0123456789ab")
    assert parse_task_id("someone-elses-card") is None
    assert parse_task_id("a@b@c") is None
