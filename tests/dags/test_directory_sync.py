"""directory_sync with dag.test(), against the simulator's directory and a real records DB."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from tests.fixtures.duty_runs import at

DAG = "directory_sync"


def seed(world) -> None:
    from wecomply.records.directory import DepartmentRecord, upsert_departments

    world.add_department(10, "销售部", head="head1")
    world.add_department(20, "市场部")
    with world.records.sessions.begin() as session:
        upsert_departments(
            [DepartmentRecord(10, "销售部", 1, head_userid="head1", account_owner_userid="owner1")],
            session=session, now=at("2026-01-01 09:00"),
        )
    world.add_person("head1", "王芳", 10, role="manager")
    world.add_person("stay", "李强", 10, leader="head1")
    world.add_person("goer", "赵敏", 10, leader="head1")
    world.add_person("mover", "陈静", 10, leader="head1")


def changes(world) -> list[tuple[str, str, int | None, int | None]]:
    from wecomply.records.models import DirectoryChange

    with world.records.sessions() as session:
        rows = session.scalars(sa.select(DirectoryChange).order_by(DirectoryChange.id))
        return sorted((c.userid, c.kind, c.from_department_id, c.to_department_id) for c in rows)


def sync_runs(world) -> int:
    from wecomply.records.models import DirectorySyncRun

    with world.records.sessions() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(DirectorySyncRun))


def employee(world, userid: str):
    from wecomply.records.models import Employee

    with world.records.sessions() as session:
        return session.scalars(sa.select(Employee).where(Employee.userid == userid)).one()


def asset_events(run) -> int:
    from airflow.models.asset import AssetEvent
    from airflow.utils.session import create_session

    with create_session() as session:
        return session.scalar(
            sa.select(sa.func.count()).select_from(AssetEvent).where(
                AssetEvent.source_dag_id == DAG, AssetEvent.source_run_id == run.run_id
            )
        )


def test_joiner_leaver_and_mover_are_detected(duty_world) -> None:
    seed(duty_world)
    first = duty_world.run(DAG, at("2026-03-02 08:30"))
    assert changes(duty_world) == [], "people already on the roster are no joiners"
    assert asset_events(first) == 1, "the sync publishes the directory asset"
    assert employee(duty_world, "mover").wecom_main_department_id == 10

    sim = duty_world.sim
    sim.add_user("newbie", "刘洋", [20])
    sim.remove_user("goer")
    sim.remove_user("mover")
    sim.add_user("mover", "陈静", [20], direct_leader=["head1"])
    duty_world.run(DAG, at("2026-03-03 08:30"))
    assert changes(duty_world) == [
        ("goer", "left", 10, None),
        ("mover", "moved", 10, 20),
        ("newbie", "joined", None, 20),
    ]
    mover = employee(duty_world, "mover")
    assert (mover.department_id, mover.wecom_department_ids) == (10, [20]), "HR's department is kept; WeCom's is recorded"
    newbie = employee(duty_world, "newbie")
    assert (newbie.in_roster, newbie.source, newbie.wecom_status) == (False, "wecom", 1)
    assert employee(duty_world, "goer").wecom_status is None

    from wecomply.records.models import Department

    with duty_world.records.sessions() as session:
        sales = session.get(Department, 10)
        assert (sales.head_userid, sales.account_owner_userid) == ("head1", "owner1"), "roster head/owner kept"
        assert session.get(Department, 1) is not None, "WeCom's root department is recorded too"


def test_rerun_of_the_same_day_records_each_change_once(duty_world) -> None:
    seed(duty_world)
    duty_world.run(DAG, at("2026-03-02 08:30"))
    duty_world.sim.add_user("newbie", "刘洋", [20])
    duty_world.run(DAG, at("2026-03-03 08:30"))
    duty_world.run(DAG, at("2026-03-03 08:30"))
    assert changes(duty_world) == [("newbie", "joined", None, 20)]


def test_status_change_in_wecom_reaches_the_records(duty_world) -> None:
    seed(duty_world)
    duty_world.run(DAG, at("2026-03-02 08:30"))
    duty_world.sim.set_user_status("goer", 5)
    duty_world.run(DAG, at("2026-03-03 08:30"))
    assert ("goer", "left", 10, 10) in changes(duty_world)
    assert employee(duty_world, "goer").wecom_status == 5


def test_runs_on_working_days_only_including_make_up_saturdays(duty_world) -> None:
    from wecomply.policy.calendar import WorkCalendar
    from wecomply.policy.config import load_policy

    calendar = WorkCalendar(load_policy())
    seed(duty_world)
    run = duty_world.run(DAG, at("2026-03-08 08:30"))  # a Sunday
    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    assert states == {"working_day": "success", "sync_members": "skipped"}
    duty_world.run(DAG, at("2026-10-01 08:30"))  # National Day
    assert sync_runs(duty_world) == 0

    day = date(2026, 1, 1)
    while not (day.weekday() == 5 and calendar.is_working_day(day)):
        day += timedelta(days=1)
    duty_world.run(DAG, at(f"{day.isoformat()} 08:30"))  # a 调休 Saturday
    assert sync_runs(duty_world) == 1


def test_transient_wecom_failure_is_retried(duty_world) -> None:
    seed(duty_world)
    duty_world.sim.faults.add("/cgi-bin/user/list_id", "http500", times=5)
    duty_world.run(DAG, at("2026-03-02 08:30"))
    assert sync_runs(duty_world) == 1
    assert employee(duty_world, "stay").wecom_department_ids == [10]


def sync_returned(run) -> dict:
    ti = next(ti for ti in run.get_task_instances() if ti.task_id == "sync_members")
    return ti.xcom_pull(task_ids="sync_members")


def test_a_cleared_run_reports_its_recorded_sync_unless_asked_to_read_again(duty_world) -> None:
    seed(duty_world)
    sim = duty_world.sim
    first = sync_returned(duty_world.run(DAG, at("2026-03-02 08:30")))
    listings = sim.calls("/cgi-bin/user/list")
    assert first["read_wecom"] is True and listings > 0

    # A joiner after the run: a clear of that run must not date them to it.
    sim.add_user("newbie", "刘洋", [20])
    again = sync_returned(duty_world.run(DAG, at("2026-03-02 08:30")))
    assert sim.calls("/cgi-bin/user/list") == listings, "the cleared run read WeCom again"
    assert again == first | {"read_wecom": False}
    assert changes(duty_world) == [] and sync_runs(duty_world) == 1

    forced = sync_returned(duty_world.run(DAG, at("2026-03-02 08:30"), conf={"reread_directory": True}))
    assert sim.calls("/cgi-bin/user/list") > listings
    assert (forced["read_wecom"], forced["joined"]) == (True, 1)
    assert changes(duty_world) == [("newbie", "joined", None, 20)] and sync_runs(duty_world) == 2
