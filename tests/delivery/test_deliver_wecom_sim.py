"""End to end: the outbox, the real client and the shared stores against the simulator."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa

from tests.fixtures.records import RecordsDB
from wecomply.delivery import DeliveryRequest, deliver
from wecomply.records.models import BatchStatus, DeliveryBatch, DeliveryStatus, TokenCacheEntry
from wecomply.records.shared_stores import SqlPacingStore, SqlTokenStore
from wecomply.wecom import messages
from wecomply.wecom.client import WeComClient
from wecomply.wecom.transport import RetryPolicy

SEND = "/cgi-bin/message/send"


def client_for(sim: Any, db: RecordsDB, *, retry: RetryPolicy = RetryPolicy()) -> WeComClient:
    return WeComClient(
        sim.base_url, sim.corp_id, sim.secret, sim.agent_id,
        token_store=SqlTokenStore(db.engine), pacing_store=SqlPacingStore(db.engine),
        timeout=0.5, retry=retry,
    )


def requests_for(users: list[str]) -> list[DeliveryRequest]:
    card = messages.button_card(task_id="x", title="请完成入职培训", buttons=[messages.Button("我已完成培训", "done")])
    return [DeliveryRequest("onboarding", u, "2025-03-03", "assign", (u,), card) for u in users]


def test_real_client_sends_once_records_invalid_users_and_keeps_the_token_sealed(
    records_db: RecordsDB, wecom_sim: Any
) -> None:
    client = client_for(wecom_sim, records_db)
    requests = requests_for(["lisi", "wangwu", "outsider"])
    now = datetime.now(timezone.utc)

    first = deliver(records_db.sessions, client, requests, now=now, worker_id="w1")
    second = deliver(records_db.sessions, client, requests, now=now, worker_id="w2")

    assert wecom_sim.calls(SEND) == 1 and second.batches_sent == 0
    assert [len(wecom_sim.received(u)) for u in ("lisi", "wangwu", "outsider")] == [1, 1, 0]
    with records_db.sessions() as session:
        task_id = session.scalar(sa.select(DeliveryBatch.task_id))
        sealed = session.scalars(sa.select(TokenCacheEntry.sealed)).all()
    assert wecom_sim.received("lisi")[0]["task_id"] == task_id
    assert first.outcomes[requests[2].key].status is DeliveryStatus.INVALID
    assert first.outcomes[requests[0].key].msgid
    tokens = list(wecom_sim.tokens)  # the simulator's issued access tokens
    assert wecom_sim.issued_tokens() == 1 and len(sealed) == 1
    assert tokens and all(token not in sealed[0] for token in tokens)


def test_a_send_in_doubt_is_settled_by_an_identical_resend(records_db: RecordsDB, wecom_sim: Any) -> None:
    # One attempt per client call: the outbox, not the client, must settle the doubt.
    client = client_for(wecom_sim, records_db, retry=RetryPolicy(max_attempts=1))
    wecom_sim.faults.add(SEND, "timeout", times=1, after_processing=True)

    report = deliver(records_db.sessions, client, requests_for(["lisi"]), now=datetime.now(timezone.utc), worker_id="w1")

    assert report.resends == 1 and report.complete
    assert wecom_sim.calls(SEND) == 2 and wecom_sim.duplicates(SEND) == 1
    assert len(wecom_sim.received("lisi")) == 1
    with records_db.sessions() as session:
        batch = session.scalar(sa.select(DeliveryBatch))
    assert (batch.status, batch.attempts, batch.maybe_sent) == (BatchStatus.SENT, 2, True)
