"""training_quarterly with dag.test(), against the simulator and a real records DB."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from tests.fixtures.duty_runs import at

DAG = "training_quarterly"
STAFF = ("head1", "leader1", "hr1", "e1", "e2")


def seed(world) -> None:
    world.add_department(10, "销售部", head="head1")
    world.add_department(20, "技术部", head="head2")
    world.add_person("head1", "王芳", 10, role="manager")
    world.add_person("leader1", "李强", 10, role="manager", leader="head1")
    world.add_person("hr1", "赵敏", 20, role="hr")
    world.add_person("e1", "张伟", 10, leader="leader1")
    world.add_person("e2", "刘洋", 20, leader="hr1")
    world.add_person("late", "陈晨", 10, leader="leader1", hired=date(2026, 4, 10))  # onboarding's business
    world.add_person("gone", "周杰", 10, leader="leader1", left=date(2026, 3, 31))


def titles(world, userid: str) -> list[str]:
    return [c["template_card"]["main_title"]["title"] for c in world.cards(userid)]


def assignments(world) -> dict[str, tuple[str, str]]:
    from wecomply.records.models import Assignment

    with world.records.sessions() as session:
        rows = session.scalars(sa.select(Assignment).where(Assignment.kind == "periodic_training"))
        return {a.subject_userid: (a.period, a.status) for a in rows}


def escalations(world) -> list[tuple[str, str, int]]:
    from wecomply.records.models import Escalation

    with world.records.sessions() as session:
        return [(e.subject, e.about, e.level) for e in session.scalars(sa.select(Escalation).order_by(Escalation.id))]


def completion(world, as_of: date) -> dict[int, tuple[int, int, int]]:
    from wecomply.records.training import latest_completion

    with world.records.sessions() as session:
        snapshots = latest_completion("periodic_training", "2026Q2", on_or_before=as_of, session=session)
    return {d: (s.assigned, s.completed, s.completed_on_time) for d, s in snapshots.items()}


def test_first_working_day_assigns_everyone_in_one_batch_and_clicks_complete(duty_world) -> None:
    seed(duty_world)
    duty_world.run(DAG, at("2026-03-31 09:30"))  # the last day of Q1: Q2 is not due yet
    assert assignments(duty_world) == {}

    duty_world.run(DAG, at("2026-04-01 09:30"))
    assert assignments(duty_world) == {u: ("2026Q2", "open") for u in STAFF}
    for userid in STAFF:
        assert titles(duty_world, userid) == ["企业微信定期再培训"], userid
        assert "2026Q2" in duty_world.cards(userid)[0]["template_card"]["main_title"]["desc"]
    assert duty_world.received("late") == [] and duty_world.received("gone") == []

    from wecomply.records.models import DeliveryBatch

    with duty_world.records.sessions() as session:
        batches = session.scalars(sa.select(DeliveryBatch).where(DeliveryBatch.duty == "periodic_training")).all()
    assert [(b.step, b.recipient_count) for b in batches] == [("assign", len(STAFF))], "identical cards go as one call"

    assert duty_world.click_latest_card("e1") == 200
    assert duty_world.click_latest_card("head1") == 200
    duty_world.run(DAG, at("2026-04-02 09:30"))
    assert assignments(duty_world)["e1"] == ("2026Q2", "completed")
    # Department 10 holds head1, leader1 and e1 (two done); department 20 holds hr1 and e2.
    assert completion(duty_world, date(2026, 4, 2)) == {10: (3, 2, 2), 20: (2, 0, 0)}
    assert completion(duty_world, date(2026, 4, 1)) == {10: (3, 0, 0), 20: (2, 0, 0)}, "each day keeps its snapshot"

    duty_world.run(DAG, at("2026-04-16 09:30"))  # remind-1 is due
    assert titles(duty_world, "e1") == ["企业微信定期再培训"], "no reminder after completion"
    assert titles(duty_world, "e2") == ["企业微信定期再培训", "定期再培训提醒"]


def test_overdue_reminds_then_escalates_to_leader_then_head_and_hr(duty_world) -> None:
    seed(duty_world)
    for day in ("04-01", "04-16", "04-28", "04-30", "05-08", "05-11"):
        duty_world.run(DAG, at(f"2026-{day} 09:30"))
    assert titles(duty_world, "e1") == ["企业微信定期再培训", "定期再培训提醒", "定期再培训提醒"]
    e1_texts = [t for t in duty_world.texts("e1") if "张伟" in t]
    assert len(e1_texts) == 1 and "再培训逾期" in e1_texts[0]
    # escalate-leader (30 Apr) → e1 and leader1; escalate-department-head (8 May) → head1 and HR.
    about_e1 = lambda who: [t for t in duty_world.texts(who) if "张伟（e1）" in t]  # noqa: E731
    assert len(about_e1("leader1")) == 1 and len(about_e1("head1")) == 1 and len(about_e1("hr1")) == 1
    assert [(s, level) for s, about, level in escalations(duty_world) if s == "e1"] == [("e1", 1), ("e1", 2)]
    assert all(about.startswith("2026Q2:") for _, about, _ in escalations(duty_world))


def test_rerun_with_a_lost_response_sends_each_card_once(duty_world) -> None:
    """WeCom processes the send but the answer is lost: the retry and a re-run add nothing."""
    seed(duty_world)
    duty_world.sim.faults.add("/cgi-bin/message/send", "reset", times=1, after_processing=True)
    duty_world.run(DAG, at("2026-04-01 09:30"))
    duty_world.run(DAG, at("2026-04-01 09:30"))  # a clear of the whole run
    for userid in STAFF:
        assert len(duty_world.cards(userid)) == 1, userid


def test_escalation_send_is_retried_without_duplicates(duty_world) -> None:
    seed(duty_world)
    duty_world.run(DAG, at("2026-04-01 09:30"))
    duty_world.sim.faults.add("/cgi-bin/message/send", "http500", times=1)
    duty_world.sim.faults.add("/cgi-bin/message/send", "reset", times=1, after_processing=True)
    duty_world.run(DAG, at("2026-04-30 09:30"))
    duty_world.run(DAG, at("2026-04-30 09:30"))
    assert len([t for t in duty_world.texts("leader1") if "张伟（e1）" in t]) == 1
    assert len(duty_world.cards("e1")) == 3


def test_run_outside_working_hours_holds_the_cards(duty_world) -> None:
    seed(duty_world)
    duty_world.run(DAG, at("2026-04-01 20:00"))  # first working day, but after hours
    assert assignments(duty_world)["e1"][0] == "2026Q2", "the assignment is recorded"
    assert all(duty_world.received(u) == [] for u in STAFF), "nobody is disturbed at 20:00"
    duty_world.run(DAG, at("2026-04-02 09:30"))
    assert all(len(duty_world.cards(u)) == 1 for u in STAFF)


def test_national_day_moves_q4_assignment_to_the_first_working_day(duty_world) -> None:
    from wecomply.policy.calendar import WorkCalendar
    from wecomply.policy.config import load_policy

    calendar = WorkCalendar(load_policy())
    assert not calendar.is_working_day(date(2026, 10, 1))
    first = calendar.first_working_day_on_or_after(date(2026, 10, 1))
    seed(duty_world)
    duty_world.run(DAG, at("2026-10-01 09:30"))
    duty_world.run(DAG, at(f"{(first - timedelta(days=1)).isoformat()} 09:30"))
    assert duty_world.received("e1") == [] and assignments(duty_world) == {}
    duty_world.run(DAG, at(f"{first.isoformat()} 09:30"))
    assert titles(duty_world, "e1") == ["企业微信定期再培训"]
    assert assignments(duty_world)["e1"] == ("2026Q4", "open")


def test_remedial_training_is_carded_reminded_and_escalated_to_leader_and_hr(duty_world) -> None:
    """The assessment records the remedial assignment; this DAG walks its ladder."""
    from wecomply.policy.calendar import WorkCalendar
    from wecomply.policy.config import load_policy
    from wecomply.records.models import Assignment

    calendar = WorkCalendar(load_policy())
    assigned = at("2026-04-01 09:00")
    due = calendar.deadline(assigned, "10wd")
    seed(duty_world)
    with duty_world.records.sessions.begin() as session:
        session.add(Assignment(kind="remedial_training", subject_userid="e1", period="remedial-2026-03",
                               assigned_at=assigned, due_at=due, status="open"))
    duty_world.run(DAG, at("2026-04-01 09:30"))
    assert "企业微信专项再培训" in titles(duty_world, "e1") and "企业微信专项再培训" not in titles(duty_world, "e2")
    duty_world.run(DAG, at(f"{due.date().isoformat()} 09:30"))
    assert titles(duty_world, "e1").count("专项再培训提醒") == 1
    for who in ("e1", "leader1", "hr1"):
        assert len([t for t in duty_world.texts(who) if "专项再培训逾期" in t and "张伟" in t]) == 1, who
    assert ("e1", "remedial-2026-03:escalate-leader", 1) in escalations(duty_world)
