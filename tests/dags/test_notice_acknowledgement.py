"""notice_acknowledgement with dag.test(), against the simulator and a real records DB."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from tests.fixtures.duty_runs import at

DAG = "notice_acknowledgement"
SALES = ("h10", "l10", "s1", "s2")


def seed(world) -> None:
    world.add_department(10, "销售部", head="h10")
    world.add_department(20, "研发部", head="h20")
    world.add_person("h10", "王芳", 10, role="department_head")
    world.add_person("l10", "李强", 10, role="manager", leader="h10")
    world.add_person("s1", "张伟", 10, leader="l10")
    world.add_person("s2", "刘洋", 10, leader="l10")
    world.add_person("h20", "陈静", 20, role="department_head")
    world.add_person("d1", "杨帆", 20, leader="h20")


def form(**overrides: Any) -> dict[str, Any]:
    base = {
        "title": "关于修订《公司企业微信管理制度》的通知",
        "body": "制度已修订，自下月 1 日起施行。请阅读修订内容。",
        "audience_departments": [10],
        "deadline": "2026-03-05 18:00",
        "urgent": False,
    }
    return base | overrides


def titles(world, userid: str) -> list[str]:
    return [c["template_card"]["main_title"]["title"] for c in world.cards(userid)]


def assignments(world) -> dict[str, Any]:
    from wecomply.records.models import Assignment

    with world.records.sessions() as session:
        rows = {a.subject_userid: a for a in session.scalars(sa.select(Assignment).where(Assignment.kind == "notice"))}
        session.expunge_all()
    return rows


def test_publish_batches_the_card_and_records_the_audience(duty_world) -> None:
    seed(duty_world)
    duty_world.run(DAG, at("2026-03-02 10:00"), conf=form())
    for who in SALES:
        assert titles(duty_world, who) == ["关于修订《公司企业微信管理制度》的通知"], who
    assert duty_world.received("d1") == [] and duty_world.received("h20") == []
    task_ids = {duty_world.cards(w)[0]["template_card"]["task_id"] for w in SALES}
    assert len(task_ids) == 1, "identical cards go out as one request"
    card = duty_world.cards("s1")[0]["template_card"]
    assert card["button_list"][0]["text"] == "我已阅读并理解" and "自下月 1 日起施行" in card["main_title"]["desc"]

    duty_world.run(DAG, at("2026-03-02 10:00"), conf=form())  # the same run cleared and run again
    assert all(len(duty_world.received(w)) == 1 for w in SALES), "a re-run publishes nothing twice"

    from wecomply.records.models import Notice

    with duty_world.records.sessions() as session:
        notice = session.scalars(sa.select(Notice)).one()
        assert notice.audience["resolved"] == sorted(SALES) and notice.audience["departments"] == [10]
        assert notice.deadline_at == at("2026-03-05 18:00") and notice.urgent is False

    assert duty_world.click_latest_card("s1") == 200
    duty_world.run(DAG, at("2026-03-03 10:00"))  # scheduled follow-up: no form
    assert titles(duty_world, "s1") == ["关于修订《公司企业微信管理制度》的通知"], "acknowledged: no reminder"
    for who in ("h10", "l10", "s2"):
        assert titles(duty_world, who)[-1] == "请确认：关于修订《公司企业微信管理制度》的通知", who
    rows = assignments(duty_world)
    assert rows["s1"].status == "completed" and rows["s1"].completed_at == at("2026-03-02 10:05")
    assert rows["s2"].status == "open" and rows["s2"].due_at == at("2026-03-05 18:00")
    assert rows["s1"].evidence["via"] == "button"


def test_overdue_notice_escalates_to_the_leader(duty_world) -> None:
    seed(duty_world)
    duty_world.run(DAG, at("2026-03-02 10:00"), conf=form(deadline="2026-03-04 18:00", audience_departments=[], audience_users=["s2"]))
    assert titles(duty_world, "s2") == ["关于修订《公司企业微信管理制度》的通知"] and duty_world.received("s1") == []
    for moment in ("2026-03-03 10:00", "2026-03-04 15:00", "2026-03-04 17:00", "2026-03-05 09:00", "2026-03-05 10:00"):
        duty_world.run(DAG, at(moment))
    # remind-1 one working day after publishing, remind-2 four hours before the deadline.
    assert len(titles(duty_world, "s2")) == 3
    for who in ("s2", "l10"):
        texts = duty_world.texts(who)
        assert len(texts) == 1 and "通知未确认" in texts[0] and "刘洋" in texts[0], (who, texts)
    assert duty_world.received("h10") == []
    from wecomply.records.models import Escalation

    with duty_world.records.sessions() as session:
        escalation = session.scalars(sa.select(Escalation)).one()
    assert (escalation.duty, escalation.subject, escalation.level, escalation.escalated_to) == ("notice", "s2", 1, ["s2", "l10"])
    assert escalation.escalated_at == at("2026-03-05 09:00")


def test_lost_response_and_reruns_send_once(duty_world) -> None:
    seed(duty_world)
    duty_world.sim.faults.add("/cgi-bin/message/send", "reset", times=1, after_processing=True)
    duty_world.run(DAG, at("2026-03-02 10:00"), conf=form(notice_key="n1"))
    duty_world.sim.faults.add("/cgi-bin/message/send", "http500", times=1)
    duty_world.run(DAG, at("2026-03-02 10:30"), conf=form(notice_key="n1"))  # triggered twice by mistake
    duty_world.run(DAG, at("2026-03-02 11:00"))
    for who in SALES:
        assert len(duty_world.received(who)) == 1, who
    assert len(assignments(duty_world)) == len(SALES)


def test_quiet_hours_hold_a_normal_notice_but_not_an_urgent_one(duty_world) -> None:
    seed(duty_world)
    duty_world.run(DAG, at("2026-03-02 20:00"), conf=form(title="普通通知"))
    assert all(duty_world.received(w) == [] for w in SALES)
    duty_world.run(DAG, at("2026-03-02 20:05"), conf=form(title="紧急通知", urgent=True, audience_departments=[], audience_all=True))
    assert all(titles(duty_world, w) == ["紧急通知"] for w in (*SALES, "h20", "d1"))
    duty_world.run(DAG, at("2026-03-03 09:00"))
    assert titles(duty_world, "s1") == ["紧急通知", "普通通知"] and titles(duty_world, "d1") == ["紧急通知"]


def test_public_holiday_holds_until_the_first_working_day(duty_world) -> None:
    from wecomply.policy.calendar import WorkCalendar
    from wecomply.policy.config import load_policy

    calendar = WorkCalendar(load_policy())
    seed(duty_world)
    duty_world.run(DAG, at("2026-10-01 10:00"), conf=form(deadline=""))
    duty_world.run(DAG, at("2026-10-02 10:00"))
    assert all(duty_world.received(w) == [] for w in SALES)
    first = calendar.first_working_day_on_or_after(date(2026, 10, 1))
    duty_world.run(DAG, at(f"{first.isoformat()} 09:00"))
    assert all(len(duty_world.cards(w)) == 1 for w in SALES)
    # The default deadline (3 working days) counts from publishing, holidays skipped.
    assert assignments(duty_world)["s1"].due_at == at(f"{calendar.add_working_days(date(2026, 10, 1), 3).isoformat()} 10:00")


def test_a_notice_without_audience_fails_the_run(duty_world) -> None:
    seed(duty_world)
    duty_world.run(DAG, at("2026-03-02 10:00"), conf=form(audience_departments=[]), expect="failed")
    assert duty_world.received("s1") == []
