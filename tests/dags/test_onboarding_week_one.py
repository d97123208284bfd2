"""onboarding_week_one with dag.test(), against the simulator and a real records DB."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from tests.fixtures.duty_runs import at

DAG = "onboarding_week_one"


def seed(world, hired: date) -> None:
    world.add_department(10, "销售部", head="head1")
    world.add_person("head1", "王芳", 10, role="manager")
    world.add_person("leader1", "李强", 10, role="manager", leader="head1")
    world.add_person("hr1", "赵敏", 10, role="hr")
    world.add_person("newbie", "张伟", 10, leader="leader1", hired=hired)


def escalations(world) -> list[tuple[str, str, int]]:
    from wecomply.records.models import Escalation

    with world.records.sessions() as session:
        return [(e.subject, e.about, e.level) for e in session.scalars(sa.select(Escalation).order_by(Escalation.id))]


def test_happy_path_card_click_completes(duty_world) -> None:
    seed(duty_world, date(2026, 3, 2))
    duty_world.run(DAG, at("2026-03-02 09:30"))
    cards = duty_world.cards("newbie")
    assert len(cards) == 1 and "入职培训" in cards[0]["template_card"]["main_title"]["title"]
    assert duty_world.received("leader1") == [] and duty_world.received("hr1") == []

    duty_world.run(DAG, at("2026-03-02 09:30"))  # a clear/re-run of the same day
    assert len(duty_world.received("newbie")) == 1, "a re-run must not message anyone twice"

    assert duty_world.click_latest_card("newbie") == 200
    for day in range(3, 12):
        duty_world.run(DAG, at(f"2026-03-{day:02d} 09:30"))
    assert len(duty_world.received("newbie")) == 1, "no reminder after completion"
    assert duty_world.received("leader1") == [] and escalations(duty_world) == []

    from wecomply.records.models import Assignment

    with duty_world.records.sessions() as session:
        done = session.scalars(sa.select(Assignment)).one()
    assert done.status == "completed" and done.kind == "onboarding" and done.period == "2026-03-02"
    assert done.completed_at <= done.due_at


def test_overdue_reminds_then_escalates_to_leader_and_hr(duty_world) -> None:
    seed(duty_world, date(2026, 3, 2))
    for day in range(2, 12):
        duty_world.run(DAG, at(f"2026-03-{day:02d} 09:30"))
    cards = duty_world.cards("newbie")
    assert [c["template_card"]["main_title"]["title"] for c in cards] == ["企业微信入职培训", "入职培训提醒", "入职培训提醒"]
    # At the deadline: the new hire, the direct leader and HR; two working days later the
    # department head, with HR again (the policy's ladder).
    expected = {"newbie": 1, "leader1": 1, "hr1": 2, "head1": 1}
    for who, count in expected.items():
        texts = duty_world.texts(who)
        assert len(texts) == count and all("入职培训逾期" in t and "张伟" in t for t in texts), (who, texts)
    levels = [e[2] for e in escalations(duty_world)]
    assert levels == sorted(levels) and len(levels) == 2


def test_quiet_hours_and_weekend_hold_the_card_until_monday(duty_world) -> None:
    seed(duty_world, date(2026, 3, 6))  # a Friday
    duty_world.run(DAG, at("2026-03-06 20:00"))
    duty_world.run(DAG, at("2026-03-07 09:30"))  # Saturday
    assert duty_world.received("newbie") == []
    duty_world.run(DAG, at("2026-03-09 09:30"))  # Monday
    assert len(duty_world.cards("newbie")) == 1


def test_public_holiday_sends_nothing_until_the_next_working_day(duty_world) -> None:
    from wecomply.policy.calendar import WorkCalendar
    from wecomply.policy.config import load_policy

    calendar = WorkCalendar(load_policy())
    holiday = date(2026, 10, 1)
    assert not calendar.is_working_day(holiday)
    seed(duty_world, date(2026, 9, 30))
    duty_world.run(DAG, at("2026-10-01 09:30"))
    duty_world.run(DAG, at("2026-10-02 09:30"))
    assert duty_world.received("newbie") == []
    first = calendar.first_working_day_on_or_after(holiday)
    duty_world.run(DAG, at(f"{first.isoformat()} 09:30"))
    assert len(duty_world.cards("newbie")) == 1


def test_failed_send_is_retried_without_duplicates(duty_world) -> None:
    """WeCom answers 5xx and loses a processed send: the retry delivers exactly once."""
    seed(duty_world, date(2026, 3, 2))
    duty_world.sim.faults.add("/cgi-bin/message/send", "http500", times=1)
    duty_world.sim.faults.add("/cgi-bin/message/send", "reset", times=1, after_processing=True)
    duty_world.run(DAG, at("2026-03-02 09:30"))
    duty_world.run(DAG, at("2026-03-02 09:30"))
    assert len(duty_world.cards("newbie")) == 1
