"""assessment_monthly with dag.test(), against the simulator and a real records DB.

The seeded company's March 2026 evidence, and the scores the policy's formulas give it
(weights training 30, acknowledgement 25, minutes 15, reminders 10, violations 20; a
dimension without evidence is not applicable and its weight is shared out):

- e1: 1/1 training on time (100); notices 1 on time + 1 late at 50% credit (75); one
  reminder (90); no violation (100) → (3000 + 1875 + 900 + 2000) / 85 = 91.5, excellent.
- e2: training never done (0); two reminders (80); one violation (50)
  → (0 + 800 + 1000) / 60 = 30.0, fails; failed February too → remedial training.
- org1: minutes 1 of 2 on time (50); one reminder (90); no violation (100)
  → (750 + 900 + 2000) / 45 = 81.1.
- head1, leader1, hr1: nothing due, nothing wrong → 100.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
import time_machine

from tests.fixtures.duty_runs import at

DAG = "assessment_monthly"
PEOPLE = ("head1", "leader1", "hr1", "e1", "e2", "org1")
EXPECTED_TOTALS = {"e1": 91.5, "e2": 30.0, "org1": 81.1, "head1": 100.0, "leader1": 100.0, "hr1": 100.0}
RESULTS_SENT = len(EXPECTED_TOTALS)  # "gone" left before the month ended: no result


def seed(world) -> None:
    from wecomply.records.models import Assessment, Assignment, Delivery, Violation

    world.add_department(10, "销售部", head="head1")
    world.add_person("head1", "王芳", 10, role="manager")
    world.add_person("leader1", "李强", 10, role="manager", leader="head1")
    world.add_person("hr1", "赵敏", 10, role="hr")
    world.add_person("e1", "张伟", 10, leader="leader1")
    world.add_person("e2", "刘洋", 10, leader="leader1")
    world.add_person("org1", "陈晨", 10, leader="leader1")
    world.add_person("gone", "周杰", 10, leader="leader1", left=date(2026, 2, 27))

    def assignment(kind, who, period, assigned, due, completed=None, status=None):
        return Assignment(
            kind=kind, subject_userid=who, period=period, department_id=10, assigned_at=at(assigned), due_at=at(due),
            completed_at=at(completed) if completed else None,
            status=status or ("completed" if completed else "open"),
        )

    def delivery(duty, who, period, step, status="sent"):
        return Delivery(duty=duty, subject=who, period=period, step=step, recipients=[who], status=status)

    with world.records.sessions.begin() as session:
        session.add_all([
            assignment("periodic_training", "e1", "2026Q1", "2026-03-02 09:00", "2026-03-20 09:00", "2026-03-19 15:00"),
            # Friday 17:00 → Monday 16:00 is inside 24 h on the working-day clock; Tuesday is late.
            assignment("notice", "e1", "n-1", "2026-03-06 17:00", "2026-03-11 17:00", "2026-03-09 16:00"),
            assignment("notice", "e1", "n-2", "2026-03-06 17:00", "2026-03-11 17:00", "2026-03-10 09:00"),
            assignment("notice", "e1", "n-3", "2026-03-30 09:00", "2026-04-02 09:00"),  # due in April: not March's
            assignment("notice", "e1", "n-4", "2026-03-02 09:00", "2026-03-05 09:00", status="cancelled"),
            assignment("periodic_training", "e2", "2026Q1", "2026-03-02 09:00", "2026-03-20 09:00"),
            assignment("meeting_minutes", "org1", "m-1", "2026-03-11 16:00", "2026-03-12 16:00", "2026-03-12 10:00"),
            assignment("meeting_minutes", "org1", "m-2", "2026-03-19 16:00", "2026-03-20 16:00", "2026-03-23 10:00"),
            delivery("periodic_training", "e1", "2026Q1", "assign"),
            delivery("periodic_training", "e1", "2026Q1", "remind-1"),
            delivery("periodic_training", "e2", "2026Q1", "remind-1"),
            delivery("periodic_training", "e2", "2026Q1", "remind-2"),
            delivery("periodic_training", "e2", "2026Q1", "escalate-leader"),
            delivery("meeting_minutes", "org1", "m-2", "remind-1"),
            delivery("notice", "e1", "n-3", "remind-1"),  # belongs to April's evidence
            delivery("notice", "e1", "n-2", "remind-1", status="queued"),  # never sent: not needed
            Violation(userid="e2", occurred_on=date(2026, 3, 18), kind="shared_account", recorded_by="hr1"),
            Violation(userid="e1", occurred_on=date(2026, 4, 1), kind="shared_account", recorded_by="hr1"),
            Assessment(userid="e2", period="2026-02", scores={}, total=40.0, passed=False),
            Assessment(userid="e1", period="2026-02", scores={}, total=40.0, passed=False),
        ])


def results(world, period: str = "2026-03") -> dict[str, tuple[float, bool, dict]]:
    from wecomply.records.models import Assessment

    with world.records.sessions() as session:
        rows = session.scalars(sa.select(Assessment).where(Assessment.period == period))
        return {a.userid: (a.total, a.passed, a.scores) for a in rows}


def markdowns(world, userid: str) -> list[str]:
    return [m["markdown"]["content"] for m in world.received(userid) if m.get("msgtype") == "markdown"]


def remedial_assignments(world) -> list[tuple[str, str, str]]:
    from wecomply.records.models import Assignment

    with world.records.sessions() as session:
        rows = session.scalars(sa.select(Assignment).where(Assignment.kind == "remedial_training"))
        return [(a.subject_userid, a.period, a.status) for a in rows]


def asset_events(run) -> list[dict]:
    from airflow.models.asset import AssetEvent
    from airflow.utils.session import create_session

    with create_session() as session:
        events = session.scalars(
            sa.select(AssetEvent).where(AssetEvent.source_dag_id == DAG, AssetEvent.source_run_id == run.run_id)
        ).all()
        return [dict(e.extra) | {"task": e.source_task_id} for e in events]


def task_states(run) -> dict[str, str]:
    return {ti.task_id: str(ti.state) for ti in run.get_task_instances()}


def test_exact_scores_private_results_remedial_and_asset(duty_world) -> None:
    seed(duty_world)
    run = duty_world.run(DAG, at("2026-04-01 09:00"))

    stored = results(duty_world)
    assert {u: total for u, (total, _, _) in stored.items()} == EXPECTED_TOTALS
    assert {u for u, (_, passed, _) in stored.items() if not passed} == {"e2"}
    assert stored["e1"][2] == {"training": 100.0, "acknowledgement": 75.0, "minutes": None, "reminders": 90.0, "violations": 100.0}
    assert stored["org1"][2]["minutes"] == 50.0 and stored["e2"][2]["violations"] == 50.0
    assert "gone" not in stored, "people who left before the month ended are not assessed"

    # Two consecutive fails (February and March) → remedial training; e1 recovered in March.
    assert remedial_assignments(duty_world) == [("e2", "remedial-2026-03", "open")]

    for userid in PEOPLE:
        mine = markdowns(duty_world, userid)
        assert len(duty_world.received(userid)) == 1 and len(mine) == 1, userid
        assert "2026-03" in mine[0] and f"{EXPECTED_TOTALS[userid]:g}" in mine[0], (userid, mine[0])
    assert "优秀" in markdowns(duty_world, "e1")[0]
    assert "不合格" in markdowns(duty_world, "e2")[0] and "专项再培训" in markdowns(duty_world, "e2")[0]
    assert "专项再培训" not in markdowns(duty_world, "org1")[0]
    names = ("王芳", "李强", "赵敏", "张伟", "刘洋", "陈晨")
    assert not [u for u in PEOPLE if any(n in markdowns(duty_world, u)[0] for n in names)], "the text names no one"
    from wecomply.records.models import Delivery, DeliveryBatch

    # The three with nothing due share one result, so one call reaches all three (each in
    # their own chat); everyone else's differs. Evidence stays per person.
    assert markdowns(duty_world, "head1") == markdowns(duty_world, "leader1") == markdowns(duty_world, "hr1")
    with duty_world.records.sessions() as session:
        sizes = session.scalars(sa.select(DeliveryBatch.recipient_count).where(DeliveryBatch.duty == "assessment")).all()
        per_person = session.scalars(sa.select(Delivery.recipients).where(Delivery.duty == "assessment")).all()
    assert sorted(sizes) == [1, 1, 1, 3], "identical results share a message/send call"
    assert sorted(r for rs in per_person for r in rs) == sorted(PEOPLE), "one delivery row per person"

    assert asset_events(run) == [{"period": "2026-03", "assessed": 6, "task": "publish_results"}]

    # The daily training DAG sends the remedial card the same morning.
    duty_world.run("training_quarterly", at("2026-04-01 09:30"))
    titles = [c["template_card"]["main_title"]["title"] for c in duty_world.cards("e2")]
    assert "企业微信专项再培训" in titles
    assert all("专项再培训" not in c["template_card"]["main_title"]["title"] for c in duty_world.cards("e1"))
    card = next(c for c in duty_world.cards("e2") if c["template_card"]["main_title"]["title"] == "企业微信专项再培训")
    with time_machine.travel(at("2026-04-01 10:00"), tick=True):
        assert duty_world.sim.click("e2", card["template_card"]["task_id"], "done", duty_world.callback_url) == 200
    duty_world.run("training_quarterly", at("2026-04-02 09:30"))
    assert remedial_assignments(duty_world) == [("e2", "remedial-2026-03", "completed")]


def test_rerun_with_a_lost_response_sends_each_result_once(duty_world) -> None:
    seed(duty_world)
    duty_world.sim.faults.add("/cgi-bin/message/send", "reset", times=1, after_processing=True)
    duty_world.sim.faults.add("/cgi-bin/message/send", "http500", times=1)
    duty_world.run(DAG, at("2026-04-01 09:00"))
    second = duty_world.run(DAG, at("2026-04-01 09:00"))  # a clear of the whole run
    for userid in PEOPLE:
        assert len(markdowns(duty_world, userid)) == 1, userid
    # The re-run reports what deliver() would: everything settled already, nothing sent.
    again = second.get_task_instance("send_results").xcom_pull(task_ids="send_results")
    assert again == {"requests": RESULTS_SENT, "sent": 0, "already_done": RESULTS_SENT, "pending": 0, "in_doubt": 0,
                     "failed": 0, "batches_sent": 0, "resends": 0, "held_for_working_hours": 0}, again
    assert {u: total for u, (total, _, _) in results(duty_world).items()} == EXPECTED_TOTALS
    assert remedial_assignments(duty_world) == [("e2", "remedial-2026-03", "open")]
    assert len(asset_events(second)) == 1


def test_other_days_skip_and_national_day_waits_for_the_first_working_day(duty_world) -> None:
    from wecomply.policy.calendar import WorkCalendar
    from wecomply.policy.config import load_policy

    seed(duty_world)
    skipped = duty_world.run(DAG, at("2026-03-31 09:00"))
    assert set(task_states(skipped).values()) == {"success", "skipped"}
    assert task_states(skipped)["assessment_day"] == "success" and task_states(skipped)["score_month"] == "skipped"
    holiday = duty_world.run(DAG, at("2026-10-01 09:00"))
    assert task_states(holiday)["publish_results"] == "skipped" and asset_events(holiday) == []
    assert results(duty_world, "2026-09") == {}

    calendar = WorkCalendar(load_policy())
    first = calendar.first_working_day_on_or_after(date(2026, 10, 1))
    run = duty_world.run(DAG, at(f"{first.isoformat()} 09:00"))
    assert set(results(duty_world, "2026-09")) == set(PEOPLE)
    assert asset_events(run) == [{"period": "2026-09", "assessed": 6, "task": "publish_results"}]


def test_adjusted_sunday_is_an_assessment_day(duty_world) -> None:
    """Sunday 2026-01-04 is a make-up working day (调休) and the first of January."""
    seed(duty_world)
    duty_world.run(DAG, at("2026-01-04 09:00"))
    assert set(results(duty_world, "2025-12")) == {*PEOPLE, "gone"}, "gone still worked in December"


def test_quiet_hours_hold_results_until_the_next_working_morning(duty_world) -> None:
    seed(duty_world)
    early = duty_world.run(DAG, at("2026-04-01 07:30"))
    assert results(duty_world)["e1"][0] == 91.5, "scored at once"
    assert all(duty_world.received(u) == [] for u in PEOPLE), "nobody is messaged at 07:30"
    assert len(asset_events(early)) == 1

    catch_up = duty_world.run(DAG, at("2026-04-02 09:00"))
    assert task_states(catch_up)["score_month"] == "skipped" and asset_events(catch_up) == []
    for userid in PEOPLE:
        assert len(markdowns(duty_world, userid)) == 1, userid

    nothing_left = duty_world.run(DAG, at("2026-04-03 09:00"))
    assert task_states(nothing_left)["send_results"] == "skipped"

