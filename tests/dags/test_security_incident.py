"""security_incident with dag.test(), against the simulator and a real records DB."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from tests.fixtures.duty_runs import at

DAG = "security_incident"
INFOSEC = ("sec1", "sec2")


def seed(world) -> None:
    world.add_department(10, "销售部", head="h10")
    world.add_department(30, "信息安全部", head="sec1")
    world.add_person("h10", "王芳", 10, role="department_head")
    world.add_person("r1", "张伟", 10, leader="h10")
    world.add_person("v1", "刘洋", 10, leader="h10")
    world.add_person("sec1", "陈静", 30, role="infosec")
    world.add_person("sec2", "杨帆", 30, role="infosec", leader="sec1")
    world.add_person("ceo", "周总", 30, role="leadership")
    world.add_person("hr1", "赵敏", 10, role="hr")


def report(**overrides: Any) -> dict[str, Any]:
    base = {
        "what": "刘洋的企业微信账号疑似被盗，向客户群发送了钓鱼链接",
        "when": "2026-03-12 19:05",
        "where": "销售部；企业微信外部客户群",
        "scope": "1 个账号；3 个客户群",
        "impact": "可能泄露客户联系方式",
        "measures": "已修改密码并退出所有设备",
        "people": ["v1", "r1"],
        "department_id": 10,
        "reporter": "r1",
    }
    return base | overrides


def incident(world):
    from wecomply.records.models import Incident

    with world.records.sessions() as session:
        row = session.scalars(sa.select(Incident)).one()
        session.expunge_all()
    return row


def cli(world, *args: str) -> int:
    from wecomply.cli import main

    return main([*args, "--url", world.records.url])


def test_report_is_taken_and_the_checklist_walked(duty_world, capsys) -> None:
    seed(duty_world)
    duty_world.run(DAG, at("2026-03-12 19:20"), conf=report())  # a weekday evening: urgent anyway
    for who in (*INFOSEC, "h10"):
        cards = duty_world.cards(who)
        assert len(cards) == 1 and cards[0]["template_card"]["main_title"]["title"].startswith("【安全事件】请立即处理 INC-"), who
    card = duty_world.cards("sec1")[0]["template_card"]
    assert "钓鱼链接" in card["main_title"]["desc"] and "刘洋（v1）" in card["main_title"]["desc"]
    assert card["button_list"][0]["text"] == "已接手处理"
    assert duty_world.received("ceo") == [] and duty_world.received("r1") == []
    row = incident(duty_world)
    assert row.clock_started_at == at("2026-03-12 19:20") and row.occurred_at == at("2026-03-12 19:05")
    assert row.notified_at is not None and row.acknowledged_at is None

    assert duty_world.click_latest_card("sec2", when=at("2026-03-12 19:28")) == 200
    for moment in ("2026-03-12 19:30", "2026-03-12 19:35", "2026-03-12 19:55"):
        duty_world.run(DAG, at(moment))
    row = incident(duty_world)
    assert (row.acknowledged_by, row.acknowledged_at, row.escalated_at) == ("sec2", at("2026-03-12 19:28"), None)
    assert duty_world.received("ceo") == [] and len(duty_world.received("sec1")) == 1, "taken in time: no reminder, no escalation"

    key = row.key
    assert cli(duty_world, "incident", "step", key, "response", "--by", "sec2") == 2, "steps go in order"
    assert "初步判断" in capsys.readouterr().err
    for step in ("初步判断", "response", "investigation", "recovery", "summary_report", "accountability"):
        assert cli(duty_world, "incident", "step", key, step, "--by", "sec2", "--note", f"{step} done") == 0
    assert cli(duty_world, "incident", "show", key) == 0
    shown = capsys.readouterr().out
    assert "6. accountability" in shown and "sec2" in shown
    assert incident(duty_world).closed_at is not None
    assert cli(duty_world, "incident", "step", key, "accountability", "--by", "sec2") == 2, "closed: nothing after"


def test_nobody_takes_it_on_a_holiday_night_so_leadership_is_told(duty_world) -> None:
    from wecomply.policy.calendar import WorkCalendar
    from wecomply.policy.config import load_policy

    assert not WorkCalendar(load_policy()).is_working_day(date(2026, 10, 1))
    seed(duty_world)
    conf = report(when="2026-10-01 21:40")
    duty_world.run(DAG, at("2026-10-01 22:00"), conf=conf)
    assert all(len(duty_world.cards(w)) == 1 for w in (*INFOSEC, "h10")), "urgent: sent at 22:00 on National Day"
    # The department head's click does not stop information security's clock.
    assert duty_world.click_latest_card("h10", when=at("2026-10-01 22:05")) == 200
    duty_world.run(DAG, at("2026-10-01 22:10"))
    assert all(len(duty_world.received(w)) == 1 for w in INFOSEC)
    duty_world.run(DAG, at("2026-10-01 22:15"))
    for who in INFOSEC:
        assert [c["template_card"]["main_title"]["title"].split()[0] for c in duty_world.cards(who)] == [
            "【安全事件】请立即处理", "【安全事件】尚无人接手"
        ]
    assert len(duty_world.received("h10")) == 1 and duty_world.received("ceo") == []
    duty_world.run(DAG, at("2026-10-01 22:30"))
    texts = duty_world.texts("ceo")
    assert len(texts) == 1 and "安全事件升级" in texts[0] and "钓鱼链接" in texts[0]
    assert all(len(duty_world.texts(w)) == 1 for w in INFOSEC)
    # The reporter submits the same form again later: same incident, nothing sent twice.
    duty_world.run(DAG, at("2026-10-01 22:31"), conf=conf)
    duty_world.run(DAG, at("2026-10-01 22:35"))
    assert len(duty_world.received("ceo")) == 1 and all(len(duty_world.received(w)) == 3 for w in INFOSEC)
    row = incident(duty_world)
    assert row.escalated_at is not None and row.acknowledged_at is None
    from wecomply.records.models import Escalation

    with duty_world.records.sessions() as session:
        escalation = session.scalars(sa.select(Escalation)).one()
    assert (escalation.duty, escalation.subject, escalation.level) == ("incident", row.key, 1)
    assert set(escalation.escalated_to) == {"ceo", *INFOSEC}


def test_lost_response_and_reruns_send_once(duty_world) -> None:
    seed(duty_world)
    duty_world.sim.faults.add("/cgi-bin/message/send", "reset", times=1, after_processing=True)
    duty_world.run(DAG, at("2026-03-12 19:20"), conf=report())
    duty_world.sim.faults.add("/cgi-bin/message/send", "http500", times=1)
    duty_world.run(DAG, at("2026-03-12 19:20"), conf=report())
    duty_world.run(DAG, at("2026-03-12 19:25"))
    assert all(len(duty_world.received(w)) == 1 for w in (*INFOSEC, "h10"))
    from wecomply.records.models import Incident

    with duty_world.records.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Incident)) == 1


def test_a_report_without_reporter_fails_and_sends_nothing(duty_world) -> None:
    seed(duty_world)
    duty_world.run(DAG, at("2026-03-12 19:20"), conf=report(reporter=""), expect="failed")
    assert duty_world.received("sec1") == []
