"""The callback receiver over real HTTP: genuine clicks are stored once, forgeries never.

The simulator plays WeCom: it sends real encrypted callbacks (and the tampered variants)
to the receiver, which stores verified events in a real records DB (SQLite and PostgreSQL).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from wecomply.receiver.app import CALLBACK_PATH, Receiver, ReceiverSettings, create_app
from wecomply.records.models import CallbackEvent as InboxEvent
from wecomply.wecom import messages
from wecomply.wecom.client import WeComClient


@pytest.fixture
def receiver(wecom_sim, records_db, serve_app):
    client = WeComClient(wecom_sim.base_url, wecom_sim.corp_id, wecom_sim.secret, wecom_sim.agent_id)
    updated: list[str] = []

    def grey_out(event) -> None:
        client.update_template_card([event.from_user], event.response_code, replace_name="已确认")
        updated.append(event.from_user)

    rx = Receiver(
        settings=ReceiverSettings(token=wecom_sim.token, encoding_aes_key=wecom_sim.encoding_aes_key, corp_id=wecom_sim.corp_id),
        sessions=records_db.sessions,
        card_updater=grey_out,
    )
    served = serve_app(create_app(lambda: rx, clock=wecom_sim.clock.now))
    card = messages.button_card(
        task_id="onboarding-2026-03-assign-abc123", title="入职培训", buttons=[messages.Button("我已完成培训", "done")]
    )
    for body in messages.batch_bodies(card, ["zhangsan"], agent_id=wecom_sim.agent_id):
        client.send_message(body)
    return served.base_url + CALLBACK_PATH, records_db, updated


def _eventually(check, timeout: float = 10.0) -> bool:
    """Card updates happen after the 200 (in the background), so wait for them."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def _stored(records_db) -> int:
    with records_db.sessions() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(InboxEvent))


def test_url_verification_answers_plaintext(wecom_sim, receiver) -> None:
    url, _, _ = receiver
    result = wecom_sim.verify_url(url)
    assert result.ok, result


def test_genuine_click_sent_twice_is_recorded_once(wecom_sim, receiver) -> None:
    url, records_db, updated = receiver
    assert wecom_sim.click("zhangsan", "onboarding-2026-03-assign-abc123", "done", url) == 200
    assert wecom_sim.resend() == 200  # WeCom's retry of the same event
    assert wecom_sim.resend(exact=True) == 200  # a byte-identical replay
    assert _stored(records_db) == 1
    assert _eventually(lambda: updated == ["zhangsan"]), f"card should be greyed out once, got {updated}"
    state = wecom_sim.card_state("onboarding-2026-03-assign-abc123", "zhangsan")
    assert "已确认" in str(state)


@pytest.mark.parametrize(
    ("tamper", "status"),
    [
        ("bad_signature", 403),
        ("missing_signature", 400),
        ("wrong_receiveid", 403),
        ("stale_timestamp", 403),
        ("future_timestamp", 403),
        ("dtd", 400),
        ("dtd_inner", 400),
        ("oversized", 413),
        ("bad_encrypt", 400),
    ],
)
def test_forged_callbacks_are_rejected_and_not_recorded(wecom_sim, receiver, tamper: str, status: int) -> None:
    url, records_db, updated = receiver
    assert wecom_sim.click("zhangsan", "onboarding-2026-03-assign-abc123", "done", url, tamper=tamper) == status
    assert _stored(records_db) == 0
    assert updated == []


@pytest.mark.parametrize("tamper", ["bad_signature", "wrong_receiveid", "stale_timestamp"])
def test_forged_url_verification_is_rejected(wecom_sim, receiver, tamper: str) -> None:
    url, _, _ = receiver
    result = wecom_sim.verify_url(url, tamper=tamper)
    assert not result.ok and result.status == 403


def test_store_failure_answers_503_so_wecom_retries(wecom_sim, records_db, serve_app) -> None:
    rx = Receiver(
        settings=ReceiverSettings(token=wecom_sim.token, encoding_aes_key=wecom_sim.encoding_aes_key, corp_id=wecom_sim.corp_id),
        sessions=records_db.sessions,
    )
    served = serve_app(create_app(lambda: rx, clock=wecom_sim.clock.now))
    with records_db.engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE callback_inbox RENAME TO callback_inbox_gone"))
    status = wecom_sim.click("zhangsan", "any-task", "done", served.base_url + CALLBACK_PATH, strict=False)
    assert status == 503
