"""Simulated employees click their cards through real encrypted callbacks to our receiver."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from demo_company import build_company, click_due_cards, planned_clicks, populate_simulator
from demo_company.model import Company
from demo_company.workdays import SHANGHAI, add_working_time
from tests.fixtures.receiver import ServedApp
from tests.fixtures.records import RecordsDB
from wecom_simulator import SimClock, WeComSimulator
from wecomply.receiver.app import CALLBACK_PATH, Receiver, ReceiverSettings, create_app
from wecomply.records.models import CallbackEvent

PUBLISHED = datetime(2026, 3, 9, 10, 0, tzinfo=SHANGHAI)
ASSIGN_TASK = "notice@n1@assign@a1b2c3d4e5f6"
REMIND_TASK = "notice@n1@remind-1@0f1e2d3c4b5a"


def _send_card(sim: WeComSimulator, userids: list[str], task_id: str) -> None:
    token = requests.get(
        sim.base_url + "/cgi-bin/gettoken", params={"corpid": sim.corp_id, "corpsecret": sim.secret}, timeout=10
    ).json()["access_token"]
    for start in range(0, len(userids), 1000):
        body = {
            "touser": "|".join(userids[start:start + 1000]),
            "msgtype": "template_card",
            "agentid": sim.agent_id,
            "template_card": {
                "card_type": "button_interaction",
                "main_title": {"title": "关于修订《公司企业微信管理制度》的通知"},
                "task_id": task_id,
                "button_list": [
                    {"text": "查看全文", "type": 1, "url": "https://example.invalid/notice"},
                    {"text": "我已阅读", "style": 1, "key": "ack"},
                ],
            },
        }
        reply = requests.post(sim.base_url + "/cgi-bin/message/send", params={"access_token": token}, json=body, timeout=10)
        assert reply.json()["errcode"] == 0, reply.text


@pytest.fixture
def company() -> Company:
    return build_company()


@pytest.fixture
def sim(make_wecom_sim: Callable[..., WeComSimulator], company: Company) -> WeComSimulator:
    sim = make_wecom_sim(sample=False, clock=SimClock(PUBLISHED.timestamp(), frozen=True))
    populate_simulator(company, sim)
    return sim


@pytest.fixture
def callback_url(records_db: RecordsDB, sim: WeComSimulator, serve_app: Callable[[Any], ServedApp]) -> str:
    settings = ReceiverSettings(token=sim.token, encoding_aes_key=sim.encoding_aes_key, corp_id=sim.corp_id)
    app = create_app(lambda: Receiver(settings=settings, sessions=records_db.sessions), clock=sim.clock.now)
    return serve_app(app).base_url + CALLBACK_PATH


def _stored_clicks(db: RecordsDB) -> list[tuple[str, str, str]]:
    with db.sessions() as session:
        rows = session.execute(sa.select(CallbackEvent.from_userid, CallbackEvent.task_id, CallbackEvent.event_key))
        return sorted((r.from_userid, r.task_id, r.event_key) for r in rows)


def _at(sim: WeComSimulator, when: datetime) -> datetime:
    sim.clock.set(when.timestamp())
    return when


def test_people_click_as_planned_once_per_card(
    company: Company, sim: WeComSimulator, callback_url: str, records_db: RecordsDB
) -> None:
    active = [e.userid for e in company.employees.values() if e.wecom_status in (1, 4)]
    _send_card(sim, active, ASSIGN_TASK)
    behaviour = company.behaviour
    clickers = [u for u in active if company.employees[u].wecom_status == 1]
    split = behaviour.share(clickers, "notice", "n1")
    assert company.scenario.not_activated in active and company.scenario.not_activated not in clickers

    def planned(userid: str, delivered: datetime, step: str) -> datetime:
        delay = behaviour.click_delay(userid, "notice", "n1", step)
        assert delay is not None
        return add_working_time(delivered, delay)

    # Half an hour in: exactly the prompt people whose delay has run out have clicked.
    now = _at(sim, PUBLISHED + timedelta(minutes=30))
    first = click_due_cards(company, sim, callback_url, now=now)
    expected_first = {u for u in split["prompt"] if planned(u, PUBLISHED, "assign") <= now}
    assert {c.userid for c in first} == expected_first and expected_first
    assert all(c.ok and c.task_id == ASSIGN_TASK and c.button_key == "ack" and c.planned_at <= now for c in first)

    # The next morning every prompt person has clicked, each once.
    now = _at(sim, datetime(2026, 3, 10, 9, 30, tzinfo=SHANGHAI))
    second = click_due_cards(company, sim, callback_url, now=now)
    assert {c.userid for c in first} | {c.userid for c in second} == set(split["prompt"])
    assert not {c.userid for c in first} & {c.userid for c in second}

    # A reminder to everyone who has not confirmed: the after-reminder people answer it.
    reminded_at = _at(sim, datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI))
    silent = [u for u in active if u not in split["prompt"]]
    _send_card(sim, silent, REMIND_TASK)
    assert planned_clicks(company, sim, userids=split["prompt"]) == []
    now = _at(sim, reminded_at + timedelta(days=2))
    third = click_due_cards(company, sim, callback_url, now=now)
    assert {c.userid for c in third} == set(split["after_reminder"])
    assert all(c.task_id == REMIND_TASK and c.planned_at == planned(c.userid, reminded_at, "remind-1") for c in third)
    for userid in company.scenario.repeat_failers:
        assert userid in split["never"]

    assert click_due_cards(company, sim, callback_url, now=now + timedelta(days=5)) == []
    clicks = [*first, *second, *third]
    assert _stored_clicks(records_db) == sorted((c.userid, c.task_id, "ack") for c in clicks)
