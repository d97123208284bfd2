"""The month's evidence CSV for auditors."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.delivery.test_deliver import FakeWeCom
from tests.fixtures.records import RecordsDB
from wecomply.cli import main
from wecomply.delivery import DeliveryRequest, deliver
from wecomply.records import inbox
from wecomply.records.assignments import AssignmentSpec, assignment_ids, ensure_assignments, record_escalation
from wecomply.wecom import messages

MARCH_LAST_EVENING = datetime(2025, 3, 31, 15, 30, tzinfo=timezone.utc)  # 23:30 in Shanghai
APRIL_FIRST_NIGHT = datetime(2025, 3, 31, 16, 30, tzinfo=timezone.utc)  # 00:30 on 1 April


def test_export_covers_the_shanghai_month_with_bom_and_no_secrets(
    records_db: RecordsDB, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with records_db.sessions.begin() as session:
        ensure_assignments([AssignmentSpec("notice", "alice", "n1", MARCH_LAST_EVENING + timedelta(days=1))],
                           session=session, now=MARCH_LAST_EVENING)
        ids = assignment_ids("notice", "n1", ["alice"], session=session)
    card = messages.button_card(task_id="x", title="制度修订通知", buttons=[messages.Button("确认收到", "ack")])
    deliver(records_db.sessions, FakeWeCom(),
            [DeliveryRequest("notice", "alice", "n1", "send", ("alice",), card, assignment_id=ids["alice"]),
             DeliveryRequest("notice", "bob", "n1", "send", ("bob",), card)],
            now=MARCH_LAST_EVENING, worker_id="w1")
    deliver(records_db.sessions, FakeWeCom(),
            [DeliveryRequest("notice", "carol", "n1", "send", ("carol",), messages.text("april"))],
            now=APRIL_FIRST_NIGHT, worker_id="w1")
    with records_db.sessions.begin() as session:
        from sqlalchemy import select

        from wecomply.records.models import DeliveryBatch

        task_id = session.scalar(select(DeliveryBatch.task_id).where(DeliveryBatch.task_id.is_not(None)))
        inbox.store_event(session, {"FromUserName": "alice", "CreateTime": str(int(MARCH_LAST_EVENING.timestamp()) + 60),
                                    "MsgType": "event", "Event": "template_card_event", "EventKey": "ack",
                                    "TaskId": task_id, "ResponseCode": "secret-ish"},
                          received_at=MARCH_LAST_EVENING + timedelta(minutes=1))
        inbox.process_events(session, MARCH_LAST_EVENING + timedelta(minutes=2))
        record_escalation(session=session, duty="notice", subject="bob", about="n1", level=1,
                          escalated_to=["boss"], at=MARCH_LAST_EVENING + timedelta(minutes=5), reason="未确认 / not acknowledged")
        record_escalation(session=session, duty="notice", subject="bob", about="n1", level=2,
                          escalated_to=["hr"], at=APRIL_FIRST_NIGHT, reason="later")

    out = tmp_path / "evidence-2025-03.csv"
    assert main(["evidence", "export", "--month", "2025-03", "--out", str(out), "--url", records_db.url]) == 0
    assert "exported 4 records" in capsys.readouterr().out

    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert [(r["record_type"], r["subject"]) for r in rows] == [
        ("delivery", "alice"), ("delivery", "bob"), ("acknowledgement", "alice"), ("escalation", "bob"),
    ]
    assert rows[0]["time_shanghai"] == "2025-03-31T23:30:00+08:00" and rows[0]["msgid"]
    assert rows[2]["assignment_kind"] == "notice" and rows[2]["task_id"] == task_id
    assert rows[3]["escalation_level"] == "1" and rows[3]["userids"] == "boss"
    text = raw.decode("utf-8-sig")
    assert "secret-ish" not in text and "access_token" not in text and "template_card" not in text


def test_a_bad_month_is_refused_with_the_format(records_db: RecordsDB, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evidence", "export", "--month", "2025-13", "--out", str(tmp_path / "x.csv"), "--url", records_db.url]) == 2
    assert "YYYY-MM" in capsys.readouterr().err


def test_an_export_that_fails_half_way_leaves_the_previous_csv(records_db: RecordsDB, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlalchemy as sa

    from wecomply.records import evidence

    out = tmp_path / "exports" / "evidence-2025-03.csv"
    out.parent.mkdir()
    out.write_bytes(b"the export auditors already have\r\n")

    def rows_then_the_database_goes_away(month: str, *, session: object):
        yield ["delivery"] + [""] * (len(evidence.COLUMNS) - 1)
        raise sa.exc.OperationalError("SELECT ...", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(evidence, "evidence_rows", rows_then_the_database_goes_away)
    with records_db.sessions() as session, pytest.raises(sa.exc.OperationalError):
        evidence.export_evidence("2025-03", out, session=session)
    assert out.read_bytes() == b"the export auditors already have\r\n"
    assert [p.name for p in out.parent.iterdir()] == [out.name]
