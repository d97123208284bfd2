"""account_review with dag.test(), against the simulator and a real records DB (both backends).

The simulator's directory is WeCom's side; the records' roster is HR's. The review reads
WeCom's side as the directory sync left it, so most tests run `directory_sync` first.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine

from tests.fixtures.duty_runs import at
from tests.fixtures.policy_files import NO_NOTICES, NOTICE_2027

DAG = "account_review"
SYNC = "directory_sync"
POLICY = Path(__file__).resolve().parents[2] / "include" / "policy.yaml"


def seed(world, *, left: date | None = date(2026, 3, 5), known_since: datetime | None = None) -> None:
    from wecomply.records.directory import DepartmentRecord, upsert_departments

    world.add_department(10, "销售部", head="head1")
    with world.records.sessions.begin() as session:
        upsert_departments(
            [
                DepartmentRecord(1, "模拟公司", None, head_userid="admin1", account_owner_userid="admin1"),
                DepartmentRecord(10, "销售部", 1, head_userid="head1", account_owner_userid="head1"),
            ],
            session=session, now=at("2026-01-01 09:00"),
        )
    add_person = partial(world.add_person, known_since=known_since)
    add_person("head1", "王芳", 10, role="manager")
    add_person("admin1", "周行政", 10, role="admin")
    add_person("hr1", "吴人事", 10, role="hr")
    add_person("it1", "郑信息", 10, role="it")
    add_person("stay", "李强", 10, leader="head1")
    add_person("leaver", "赵敏", 10, leader="head1", left=left)


def findings(world, *, open_only: bool = False):
    from wecomply.records.findings import list_findings

    with world.records.sessions() as session:
        rows = list_findings(session=session, open_only=open_only)
        session.expunge_all()
    return rows


def escalations(world) -> list[tuple[str, str, int, list[str]]]:
    from wecomply.records.models import Escalation

    with world.records.sessions() as session:
        return [
            (e.subject, e.about, e.level, e.escalated_to)
            for e in session.scalars(sa.select(Escalation).order_by(Escalation.id))
        ]


def who_received(world, *userids: str) -> dict[str, int]:
    return {u: len(world.received(u)) for u in userids}


EVERYONE = ("head1", "admin1", "hr1", "it1", "stay", "leaver")


def test_leaver_still_active_is_escalated_to_admin_and_hr_without_disabling(duty_world) -> None:
    seed(duty_world)
    duty_world.run(SYNC, at("2026-03-09 08:30"))
    duty_world.run(DAG, at("2026-03-09 10:00"))
    [finding] = findings(duty_world)
    assert (finding.kind, finding.subject, finding.resolved_at) == ("leaver_active", "leaver", None)
    assert finding.opened_at == at("2026-03-06 09:00"), "first seen the morning after the last day"
    assert finding.due_at == at("2026-03-10 09:00"), "2 working days to fix"
    assert who_received(duty_world, *EVERYONE) == {"head1": 0, "admin1": 1, "hr1": 1, "it1": 0, "stay": 0, "leaver": 0}
    [text] = duty_world.texts("admin1")
    assert "赵敏" in text and "leaver" in text and "3月10日 09:00" in text
    assert duty_world.texts("hr1") == [text]
    assert duty_world.sim.user_updates() == [], "no user/update unless the policy allows it"

    duty_world.run(SYNC, at("2026-03-10 08:30"))
    duty_world.run(DAG, at("2026-03-10 10:00"))
    assert who_received(duty_world, *EVERYONE) == {"head1": 0, "admin1": 2, "hr1": 2, "it1": 1, "stay": 0, "leaver": 0}
    assert escalations(duty_world) == [("leaver", "leaver_active-2026-03-05:escalate-admin", 1, ["admin1", "hr1", "it1"])]
    [still] = findings(duty_world)
    assert (still.id, still.opened_at, still.due_at) == (finding.id, finding.opened_at, finding.due_at), "deadline stays put"
    assert duty_world.sim.user_updates() == []


def test_policy_switch_disables_the_leaver_once_and_resolves_the_finding(duty_world, shipped_policy_with) -> None:
    assert "auto_disable_leavers: false" in POLICY.read_text(encoding="utf-8")
    shipped_policy_with(("auto_disable_leavers: false", "auto_disable_leavers: true"))

    seed(duty_world)
    duty_world.run(SYNC, at("2026-03-09 08:30"))
    duty_world.run(DAG, at("2026-03-09 10:00"))
    updates = duty_world.sim.user_updates()
    assert [{k: v for k, v in u.items() if k != "time"} for u in updates] == [{"userid": "leaver", "enable": 0}]
    [finding] = findings(duty_world)
    assert finding.resolved_at is not None and "user/update enable=0" in finding.resolution
    [notice] = duty_world.texts("admin1")
    assert "自动停用" in notice and "赵敏" in notice
    assert duty_world.texts("hr1") == [notice]

    duty_world.run(DAG, at("2026-03-09 10:00"))  # a clear of the same run
    duty_world.run(SYNC, at("2026-03-10 08:30"))
    duty_world.run(DAG, at("2026-03-10 10:00"))
    assert len(duty_world.sim.user_updates()) == 1
    assert len(findings(duty_world)) == 1 and len(duty_world.texts("admin1")) == 1
    assert escalations(duty_world) == []


def test_policy_switch_without_write_permission_falls_back_to_escalation(
    duty_world, shipped_policy_with, monkeypatch
) -> None:
    import json

    shipped_policy_with(("auto_disable_leavers: false", "auto_disable_leavers: true"))
    seed(duty_world)
    duty_world.run(SYNC, at("2026-03-09 08:30"))
    sim = duty_world.sim
    # The app secret instead of the contacts-sync secret: WeCom refuses user/update (48002).
    monkeypatch.setenv("AIRFLOW_CONN_WECOM_CONTACTS", json.dumps({
        "conn_type": "wecom_contacts", "host": sim.base_url, "login": sim.corp_id, "password": sim.secret,
    }))
    duty_world.run(DAG, at("2026-03-09 10:00"))
    assert sim.user_updates() == []
    [finding] = findings(duty_world)
    assert finding.resolved_at is None
    [text] = duty_world.texts("admin1")
    assert "仍处于启用状态" in text


def test_findings_resolve_when_fixed(duty_world) -> None:
    seed(duty_world)
    duty_world.run(SYNC, at("2026-03-09 08:30"))
    duty_world.run(DAG, at("2026-03-09 10:00"))
    assert [f.resolved_at for f in findings(duty_world)] == [None]
    duty_world.sim.set_user_status("leaver", 2)  # an admin disabled it by hand
    duty_world.run(SYNC, at("2026-03-10 08:30"))
    duty_world.run(DAG, at("2026-03-10 10:00"))
    [finding] = findings(duty_world)
    assert finding.resolved_at == at("2026-03-10 10:00") and "不再存在" in finding.resolution
    assert duty_world.received("it1") == [], "a fixed finding is not escalated"
    assert escalations(duty_world) == []


def test_movers_missing_accounts_and_ownerless_department_accounts(duty_world) -> None:
    seed(duty_world)
    duty_world.add_department(20, "市场部")  # no department-account owner
    duty_world.add_person("mover", "陈静", 20, leader="head1")
    duty_world.sim.remove_user("mover")
    duty_world.sim.add_user("mover", "陈静", [10])  # WeCom still has the old department
    duty_world.add_person("noacct", "孙悦", 10, hired=date(2026, 3, 2), wecom_status=None)
    duty_world.add_person("pending", "钱多", 10, hired=date(2026, 3, 2), wecom_status=4)
    duty_world.sim.add_user("shared01", "销售共用号", [10])
    duty_world.run(SYNC, at("2026-03-09 08:30"))
    duty_world.run(DAG, at("2026-03-09 10:00"))
    assert sorted((f.kind, f.subject, f.department_id) for f in findings(duty_world)) == [
        ("department_account_no_owner", "dept-20", 20),
        ("leaver_active", "leaver", 10),
        ("no_account", "noacct", 10),
        ("not_activated", "pending", 10),
        ("unknown_account", "shared01", 10),
        ("wrong_department", "mover", 20),
    ]
    # One notice per finding to admin and HR; the two accounts missing since 03-05 09:00
    # (3 working days after hiring) are already past their 2-working-day fix deadline.
    assert len(duty_world.texts("admin1")) == 8 and len(duty_world.texts("hr1")) == 8
    assert sorted(e[0] for e in escalations(duty_world)) == ["noacct", "pending"]
    assert len(duty_world.texts("it1")) == 2
    assert any("陈静" in t and "部门" in t for t in duty_world.texts("admin1"))

    # The mover is moved in WeCom and the department gets an owner: both resolve.
    from wecomply.records.directory import DepartmentRecord, upsert_departments

    duty_world.sim.remove_user("mover")
    duty_world.sim.add_user("mover", "陈静", [20])
    with duty_world.records.sessions.begin() as session:
        upsert_departments([DepartmentRecord(20, "市场部", 1, account_owner_userid="head1")], session=session, now=at("2026-03-09 12:00"))
    duty_world.run(SYNC, at("2026-03-10 08:30"))
    duty_world.run(DAG, at("2026-03-10 10:00"))
    assert sorted(f.subject for f in findings(duty_world, open_only=True)) == ["leaver", "noacct", "pending", "shared01"]


def test_account_request_reminds_it_escalates_and_a_click_reviews_it(duty_world) -> None:
    from wecomply.cli import main

    seed(duty_world, left=None)
    assert main(["accounts", "request", "--requester", "head1", "--name", "新同事", "--department", "10",
                 "--reason", "销售岗", "--at", "2026-03-02 10:00", "--url", duty_world.records.url]) == 0
    duty_world.run(DAG, at("2026-03-02 10:30"))
    [notify] = duty_world.texts("it1")
    assert "req-1" in notify and "王芳" in notify
    duty_world.run(DAG, at("2026-03-04 10:00"))
    assert [c["template_card"]["main_title"]["title"] for c in duty_world.cards("it1")] == ["账号申请待审核"]
    duty_world.run(DAG, at("2026-03-05 11:00"))  # due Thu 10:00, 3 working days after Mon 10:00
    assert [(f.kind, f.subject, f.due_at) for f in findings(duty_world)] == [("request_overdue", "req-1", at("2026-03-05 10:00"))]
    assert len(duty_world.texts("admin1")) == 1 and "账号申请逾期" in duty_world.texts("admin1")[0]
    assert len(duty_world.texts("it1")) == 2

    assert duty_world.click_latest_card("it1") == 200
    duty_world.run(DAG, at("2026-03-06 10:00"))
    [finding] = findings(duty_world)
    assert finding.resolved_at is not None
    from wecomply.records.findings import all_requests

    with duty_world.records.sessions() as session:
        [request] = all_requests(session=session)
        assert (request.reviewer_userid, request.outcome) == ("it1", "reviewed_on_card")


def test_password_attestation_card_click_resolves_the_finding(duty_world) -> None:
    from wecomply.records.models import Assignment, Employee

    seed(duty_world, left=None)
    with duty_world.records.sessions.begin() as session:
        # Records began on 2025-12-10: the first 90-day cycle is due 2026-03-10 10:00.
        session.execute(sa.update(Employee).where(Employee.userid.in_(["stay", "head1"])).values(created_at=at("2025-12-10 10:00")))
    duty_world.run(DAG, at("2026-03-03 10:00"))
    assert len(duty_world.cards("stay")) == 1 and len(duty_world.cards("head1")) == 1
    assert duty_world.cards("stay")[0]["template_card"]["main_title"]["title"] == "请确认已更换密码"
    assert duty_world.click_latest_card("head1") == 200

    duty_world.run(DAG, at("2026-03-11 10:00"))
    assert len(duty_world.cards("head1")) == 1, "attested: no reminder"
    assert len(duty_world.cards("stay")) == 2
    [open_] = findings(duty_world, open_only=True)
    assert (open_.kind, open_.subject) == ("password_attestation_due", "stay")

    assert duty_world.click_latest_card("stay") == 200
    duty_world.run(DAG, at("2026-03-12 10:00"))
    [finding] = findings(duty_world)
    assert finding.resolved_at is not None and "员工已点击确认" in finding.resolution
    with duty_world.records.sessions() as session:
        done = session.scalars(sa.select(Assignment).where(Assignment.kind == "password_attestation")).all()
        assert sorted((a.subject_userid, a.status) for a in done) == [("head1", "completed"), ("stay", "completed")]


def test_rerun_with_a_lost_send_neither_duplicates_nor_loses(duty_world) -> None:
    seed(duty_world)
    duty_world.run(SYNC, at("2026-03-09 08:30"))
    duty_world.sim.faults.add("/cgi-bin/message/send", "reset", times=1, after_processing=True)
    duty_world.run(DAG, at("2026-03-09 10:00"))
    duty_world.run(DAG, at("2026-03-09 10:00"))
    assert who_received(duty_world, *EVERYONE) == {"head1": 0, "admin1": 1, "hr1": 1, "it1": 0, "stay": 0, "leaver": 0}
    assert len(findings(duty_world)) == 1


def test_quiet_hours_hold_the_notice_until_the_working_window(duty_world) -> None:
    seed(duty_world)
    duty_world.run(SYNC, at("2026-03-09 08:30"))
    duty_world.run(DAG, at("2026-03-09 20:00"))
    assert who_received(duty_world, *EVERYONE) == dict.fromkeys(EVERYONE, 0)
    [finding] = findings(duty_world)
    assert finding.opened_at == at("2026-03-06 09:00"), "recorded even when the notice waits"
    duty_world.run(DAG, at("2026-03-10 09:30"))
    assert who_received(duty_world, *EVERYONE) == {"head1": 0, "admin1": 2, "hr1": 2, "it1": 1, "stay": 0, "leaver": 0}


def test_public_holiday_holds_the_notice_until_the_next_working_day(duty_world) -> None:
    from wecomply.policy.calendar import WorkCalendar
    from wecomply.policy.config import load_policy

    calendar = WorkCalendar(load_policy())
    assert not calendar.is_working_day(date(2026, 10, 1))
    # Recorded since September: the 90-day password attestation is not due in these runs,
    # so what arrives is the leaver notice alone.
    seed(duty_world, left=date(2026, 9, 29), known_since=at("2026-09-01 09:00"))
    duty_world.run(DAG, at("2026-10-01 10:00"))
    duty_world.run(DAG, at("2026-10-05 10:00"))  # a Monday inside the holiday
    assert who_received(duty_world, *EVERYONE) == dict.fromkeys(EVERYONE, 0)
    first = calendar.first_working_day_on_or_after(date(2026, 10, 1))
    duty_world.run(DAG, at(f"{first.isoformat()} 10:00"))
    assert len(duty_world.texts("admin1")) >= 1 and all("赵敏" in t for t in duty_world.texts("admin1"))
    assert duty_world.received("stay") == []


def test_a_notice_entered_in_the_policy_holds_the_notice_over_a_year_the_package_lacks(
    duty_world, shipped_policy_with
) -> None:
    from wecomply.policy.calendar import WorkCalendar

    assert not WorkCalendar().is_covered(2027), "chinesecalendar covers 2027 now: move this test to its next year"
    shipped_policy_with((NO_NOTICES, NOTICE_2027))
    seed(duty_world, left=date(2026, 12, 30), known_since=at("2026-12-01 09:00"))
    # A Friday and 元旦: without the entry a day off by law alone, which warns that 2027's
    # notice is missing (and fails the test); with it, a day off by the entered notice.
    duty_world.run(DAG, at("2027-01-01 10:00"))
    assert who_received(duty_world, *EVERYONE) == dict.fromkeys(EVERYONE, 0)
    duty_world.run(DAG, at("2027-01-04 10:00"))  # Monday, the notice's first working day
    assert len(duty_world.texts("admin1")) >= 1 and all("赵敏" in t for t in duty_world.texts("admin1"))


def run_without_logical_date(world, run_after: datetime, wall: datetime):
    """Like a run the directory asset triggers: no logical date, only `run_after`."""
    dag = world.dagbag.dags[DAG]
    for task in dag.tasks:
        task.retry_delay = timedelta(0)
        task.retry_exponential_backoff = False
    with time_machine.travel(wall, tick=True):
        run = dag.test(run_after=run_after, logical_date=None)
    world.now = wall
    assert str(run.state) == "success", run.state
    return run


def test_a_run_after_the_morning_sync_reviews_at_the_start_of_working_hours(duty_world) -> None:
    seed(duty_world)
    duty_world.run(SYNC, at("2026-03-09 08:30"))
    run_without_logical_date(duty_world, at("2026-03-09 08:31"), at("2026-03-09 09:01"))
    assert who_received(duty_world, *EVERYONE) == {"head1": 0, "admin1": 1, "hr1": 1, "it1": 0, "stay": 0, "leaver": 0}
    [finding] = findings(duty_world)
    assert finding.details["first_recorded_at"].startswith("2026-03-09T09:00")


@pytest.mark.parametrize("has_logical_date, expected", [(True, "2026-03-09 08:31"), (False, "2026-03-09 09:00")])
def test_review_moment(has_logical_date: bool, expected: str) -> None:
    from wecomply.flows.accounts import review_moment
    from wecomply.policy.calendar import WorkCalendar
    from wecomply.policy.config import load_policy

    moment = review_moment(at("2026-03-09 08:31"), WorkCalendar(load_policy()), has_logical_date=has_logical_date)
    assert moment == at(expected)
